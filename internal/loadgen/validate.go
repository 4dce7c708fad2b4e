package loadgen

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Step kinds a journey is made of. "get /path" fetches a fixed path (the
// benchmark's single GET, or a page no journey covers).
const (
	StepHome     = "home"
	StepCategory = "category"
	StepSearch   = "search"
	StepProduct  = "product"
	StepAddCart  = "add_to_cart"
	StepCheckout = "checkout"
	StepAbandon  = "abandon"
	StepGet      = "get"
)

// Step is one parsed journey step.
type Step struct {
	Kind string
	Path string // for StepGet
}

// ParseStep reads "home", "product", ... or "get /path".
func ParseStep(s string) (Step, error) {
	switch s {
	case StepHome, StepCategory, StepSearch, StepProduct, StepHotProduct, StepAddCart, StepCheckout, StepAbandon:
		return Step{Kind: s}, nil
	}
	if p, ok := strings.CutPrefix(s, "get "); ok {
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, " \t\r\n#") || len(p) > 2000 {
			return Step{}, fmt.Errorf("step %q: the path must start with one / and hold no spaces", s)
		}
		return Step{Kind: StepGet, Path: p}, nil
	}
	return Step{}, fmt.Errorf("unknown step %q (want home, category, search, product, hot_product, add_to_cart, checkout, abandon or \"get /path\")", s)
}

// Validate lists every problem with the scenario at once.
func (s *Scenario) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if err := s.Profile.validate(); err != nil {
		errs = append(errs, err)
	}
	if s.Duration.D() <= 0 || s.Duration.D() > MaxDuration {
		bad("duration %v must be above 0 and at most %v", s.Duration.D(), MaxDuration)
	}
	if s.MaxRequests <= 0 || s.MaxRequests > MaxRequestsCap {
		bad("max_requests %d must be between 1 and %d", s.MaxRequests, MaxRequestsCap)
	}
	if s.MaxShoppers <= 0 || s.MaxShoppers > MaxShoppersCap {
		bad("max_shoppers %d must be between 1 and %d", s.MaxShoppers, MaxShoppersCap)
	}
	if s.Timeout.D() <= 0 || s.Timeout.D() > time.Minute {
		bad("request_timeout %v must be above 0 and at most 1m", s.Timeout.D())
	}
	if s.GracefulStop < 0 || s.GracefulStop.D() > 5*time.Minute {
		bad("graceful_stop %v must be between 0 and 5m", s.GracefulStop.D())
	}
	errs = append(errs, s.Think.validate("think_time"))
	if len(s.Journeys) == 0 {
		bad("journeys: at least one is needed")
	}
	var total float64
	for i, j := range s.Journeys {
		name := fmt.Sprintf("journeys[%d] (%s)", i, j.Name)
		if !finite(j.Weight) || j.Weight < 0 {
			bad("%s: weight %v must be 0 or more", name, j.Weight)
		}
		total += j.Weight
		if len(j.Steps) == 0 || len(j.Steps) > 100 {
			bad("%s: 1 to 100 steps", name)
		}
		for _, st := range j.Steps {
			if _, err := ParseStep(st); err != nil {
				bad("%s: %w", name, err)
			}
		}
		if j.Think != nil {
			errs = append(errs, j.Think.validate(name+".think_time"))
		}
	}
	if len(s.Journeys) > 0 && !(total > 0) {
		bad("journeys: the weights add up to nothing")
	}
	if !share(s.DeclineShare) {
		bad("decline_share %v must be between 0 and 1", s.DeclineShare)
	}
	if len(s.SearchTerms) > 1000 {
		bad("search_terms: at most 1000")
	}
	errs = append(errs, s.Hostile.validate(), s.SLO.validate())
	if s.FlashSale != nil {
		errs = append(errs, s.FlashSale.validate())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid scenario:\n%w", err)
	}
	return nil
}

func (t Think) validate(name string) error {
	if t.Min < 0 || t.Max < t.Min || t.Max.D() > time.Minute {
		return fmt.Errorf("%s: want 0 <= min <= max <= 1m, have min %v max %v", name, t.Min.D(), t.Max.D())
	}
	return nil
}

func (h Hostile) validate() error {
	var errs []error
	if !share(h.Share) {
		errs = append(errs, fmt.Errorf("hostile.share %v must be between 0 and 1", h.Share))
	}
	w := []float64{h.Scraper, h.CredentialStuffing, h.Injection}
	var sum float64
	for _, x := range w {
		if !finite(x) || x < 0 {
			errs = append(errs, errors.New("hostile: weights must be 0 or more"))
			break
		}
		sum += x
	}
	if h.Share > 0 && !(sum > 0) {
		errs = append(errs, errors.New("hostile: a share is set but no attack has a weight"))
	}
	if h.Burst < 1 || h.Burst > 1000 {
		errs = append(errs, fmt.Errorf("hostile.burst %d must be between 1 and 1000", h.Burst))
	}
	return errors.Join(errs...)
}

func (s SLO) validate() error {
	var errs []error
	for step, d := range s.P99 {
		if !knownStep(step) {
			errs = append(errs, fmt.Errorf("slo.p99: unknown step %q", step))
		}
		if d <= 0 {
			errs = append(errs, fmt.Errorf("slo.p99[%s]: must be above 0", step))
		}
	}
	if s.MaxErrorRate != nil && !share(*s.MaxErrorRate) {
		errs = append(errs, fmt.Errorf("slo.max_error_rate %v must be between 0 and 1", *s.MaxErrorRate))
	}
	if !finite(s.MinOrdersPerMinute) || s.MinOrdersPerMinute < 0 {
		errs = append(errs, fmt.Errorf("slo.min_orders_per_minute %v must be 0 or more", s.MinOrdersPerMinute))
	}
	return errors.Join(errs...)
}

// knownStep reports whether latency is recorded under name (so an SLO may
// name it): the step kinds, "cart" for the cart creation, "get" for fixed
// paths and "all" for every shopper request.
func knownStep(name string) bool {
	switch name {
	case StepHome, StepCategory, StepSearch, StepProduct, StepHotProduct, StepAddCart, StepCheckout, StepGet, stepCart, stepAll:
		return true
	}
	return false
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
func share(x float64) bool  { return finite(x) && x >= 0 && x <= 1 }
