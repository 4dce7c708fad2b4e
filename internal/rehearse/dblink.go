package rehearse

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/peakshop/peakshop/internal/chaos"
)

// isPostgres reports whether dsn names a PostgreSQL server, the one engine
// with a connection a fault link can sit on (SQLite is a file in-process).
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// dbLinks gives serve ("app") and the worker each a fault link of its own
// in front of a PostgreSQL database ("app-db", "worker-db"), so a fault can
// slow one process's queries while the other's run clean, and returns the
// DSN each process should use. On SQLite there is no connection to put a
// link on: no links, and both use dsn as it is. On error the links made so
// far are closed.
func dbLinks(dsn string) (map[string]*chaos.Link, map[string]string, error) {
	links, dsns := map[string]*chaos.Link{}, map[string]string{"app": dsn, "worker": dsn}
	if !isPostgres(dsn) {
		return links, dsns, nil
	}
	for _, role := range []string{"app", "worker"} {
		l, through, err := dbLink(role+"-db", dsn)
		if err != nil {
			for _, l := range links {
				l.Close()
			}
			return nil, nil, err
		}
		links[l.Name()], dsns[role] = l, through
	}
	return links, dsns, nil
}

// dbLink starts a fault link named name in front of the PostgreSQL server
// of dsn and returns it with the DSN that reaches the server through it.
// The audit reads the database directly, around every link.
func dbLink(name, dsn string) (*chaos.Link, string, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return nil, "", fmt.Errorf("rehearse: --db: want postgres://host:port/db, got an unreadable URL")
	}
	upstream := u.Host
	if u.Port() == "" {
		upstream += ":5432"
	}
	l, err := chaos.NewLink(name, "127.0.0.1:0", upstream)
	if err != nil {
		return nil, "", err
	}
	u.Host = l.Addr()
	return l, u.String(), nil
}
