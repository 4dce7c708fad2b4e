package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/peakshop/peakshop/internal/domain/apperr"
	"github.com/peakshop/peakshop/internal/domain/catalog"
	"github.com/peakshop/peakshop/internal/domain/money"
)

// The sale scheduler's pages: GET /admin/schedule lists upcoming, applied
// and cancelled changes with the form for a new one; POST /admin/schedule
// creates one; POST /admin/schedule/{id}/cancel cancels a pending one. The
// app's scheduler loop applies them (internal/app/scheduler.go). Times are
// typed and shown in the shop's time zone (Deps.Location, `--timezone`),
// and the page names it: a sale "at midnight" starts at the shop's
// midnight. They are stored in UTC.

// scheduleTimeLayouts are the forms a time may be typed in: what a
// datetime-local input sends, with or without seconds, or with a space.
var scheduleTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}

// scheduleListSize bounds each list on the page.
const scheduleListSize = 50

type adminScheduleForm struct {
	Kind, Product, SKU, Price, DueAt, RevertAt string
	Errors                                     fieldErrors
	Message                                    string
}

type adminScheduleData struct {
	Form                        adminScheduleForm
	Pending, Applied, Cancelled scheduleTable
	Now, Zone                   string
	Saved                       string // "scheduled" or "cancelled" after a redirect
}

// scheduleTable is one list of changes; pending ones get a cancel button,
// which needs the CSRF token inside the table's template.
type scheduleTable struct {
	Rows   []catalog.ScheduledChange
	CSRF   string
	Cancel bool
}

// adminSchedule serves GET /admin/schedule?product=&kind=.
func (s *Server) adminSchedule(w http.ResponseWriter, r *http.Request, a adminRequest) {
	q := r.URL.Query()
	f := adminScheduleForm{Kind: string(catalog.ChangePrice), Product: field(q.Get("product"), 20)}
	if q.Get("kind") == string(catalog.ChangeLaunch) {
		f.Kind = string(catalog.ChangeLaunch)
	}
	saved := q.Get("saved")
	if saved != "scheduled" && saved != "cancelled" {
		saved = ""
	}
	s.showSchedule(w, r, a, http.StatusOK, f, saved)
}

func (s *Server) showSchedule(w http.ResponseWriter, r *http.Request, a adminRequest, status int, f adminScheduleForm, saved string) {
	csrf := s.csrfToken(a.v.token)
	d := adminScheduleData{Form: f, Now: s.Now().In(s.Location).Format("2006-01-02 15:04 MST"), Zone: s.Location.String(), Saved: saved,
		Pending: scheduleTable{CSRF: csrf, Cancel: true}}
	lists := []struct {
		st  catalog.ChangeStatus
		out *[]catalog.ScheduledChange
	}{{catalog.ChangePending, &d.Pending.Rows}, {catalog.ChangeApplied, &d.Applied.Rows}, {catalog.ChangeCancelled, &d.Cancelled.Rows}}
	for _, l := range lists {
		cs, err := s.Admin.Schedule.ScheduledChanges(r.Context(), l.st, scheduleListSize)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		*l.out = cs
	}
	// Failed changes are history too: show them among the applied ones,
	// with the reason as the outcome.
	failed, err := s.Admin.Schedule.ScheduledChanges(r.Context(), catalog.ChangeFailed, scheduleListSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Applied.Rows = append(d.Applied.Rows, failed...)
	s.writePrivate(w, r, status, "admin_schedule", a.page(s, "Sale scheduler", d))
}

// adminCreateSchedule handles POST /admin/schedule. Bad input comes back
// as typed with the reasons beside the fields, and nothing is stored.
func (s *Server) adminCreateSchedule(w http.ResponseWriter, r *http.Request, a adminRequest) {
	f, d := s.readScheduleForm(r)
	d.CreatedBy = a.st.Email
	if f.Errors == nil {
		_, err := s.Admin.Schedule.ScheduleChange(r.Context(), d)
		if err == nil {
			http.Redirect(w, r, "/admin/schedule?saved=scheduled", http.StatusSeeOther)
			return
		}
		if st := statusOf(err); st >= 500 {
			s.fail(w, r, err)
			return
		}
		f.Errors, f.Message = formErrors(err)
	} else {
		f.Message = "Please correct the fields marked below."
	}
	s.showSchedule(w, r, a, http.StatusUnprocessableEntity, f, "")
}

// readScheduleForm parses the posted form; what does not parse is marked
// on the form, the rest is the store's to validate.
func (s *Server) readScheduleForm(r *http.Request) (adminScheduleForm, catalog.ChangeDraft) {
	pf := r.PostForm
	f := adminScheduleForm{Kind: field(pf.Get("kind"), 20), Product: strings.TrimSpace(field(pf.Get("product"), 20)),
		SKU: strings.TrimSpace(field(pf.Get("sku"), 100)), Price: strings.TrimSpace(field(pf.Get("price"), 40)),
		DueAt: strings.TrimSpace(field(pf.Get("due_at"), 40)), RevertAt: strings.TrimSpace(field(pf.Get("revert_at"), 40))}
	errs := fieldErrors{}
	d := catalog.ChangeDraft{Kind: catalog.ChangeKind(f.Kind)}
	if d.Kind != catalog.ChangePrice && d.Kind != catalog.ChangeLaunch {
		errs["kind"] = "Choose a price change or a launch."
	}
	if id, err := strconv.ParseInt(f.Product, 10, 64); err != nil || id <= 0 {
		errs["product"] = "This must be a product id, the number in the product's admin address."
	} else {
		d.ProductID = id
	}
	var ok bool
	if d.DueAt, ok = parseShopTime(f.DueAt, s.Location); !ok || f.DueAt == "" {
		errs["due_at"] = "This must be a date and time in " + s.Location.String() + ", such as 2026-11-27 18:00."
	}
	if d.Kind == catalog.ChangePrice {
		d.SKU = f.SKU
		amount, err := parseAmount(f.Price, s.Currency)
		if err != nil {
			errs["price"] = "This " + err.Error() + "."
		}
		d.Price = money.Money{Amount: amount, Currency: s.Currency}
		if d.RevertAt, ok = parseShopTime(f.RevertAt, s.Location); !ok {
			errs["revert_at"] = "This must be empty or a date and time in " + s.Location.String() + ", such as 2026-11-28 00:00."
		}
	}
	if len(errs) > 0 {
		f.Errors = errs
	}
	return f, d
}

// parseShopTime reads a time typed in the shop's zone (a trailing zone
// name, as the page shows times, is allowed) and returns it in UTC; empty
// is the zero time.
func parseShopTime(v string, loc *time.Location) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	v = strings.TrimSpace(v)
	if i := strings.LastIndexByte(v, ' '); i > 0 && strings.IndexFunc(v[i+1:], func(r rune) bool { return r < 'A' || r > 'Z' }) < 0 {
		v = strings.TrimSpace(v[:i]) // "2026-11-27 18:00 CET"
	}
	for _, layout := range scheduleTimeLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// adminCancelSchedule handles POST /admin/schedule/{id}/cancel.
func (s *Server) adminCancelSchedule(w http.ResponseWriter, r *http.Request, a adminRequest) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.adminNotFound(w, r)
		return
	}
	err = s.Admin.Schedule.CancelChange(r.Context(), id, s.Now())
	switch {
	case err == nil:
		http.Redirect(w, r, "/admin/schedule?saved=cancelled", http.StatusSeeOther)
	case apperr.Is(err, apperr.Conflict):
		// Applied (or cancelled) meanwhile: say so above the lists.
		s.showSchedule(w, r, a, http.StatusConflict, adminScheduleForm{Kind: string(catalog.ChangePrice), Message: messageOf(err)}, "")
	default:
		s.fail(w, r, err)
	}
}
