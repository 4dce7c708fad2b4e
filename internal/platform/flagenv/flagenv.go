// Package flagenv gives every flag of a FlagSet an environment variable
// equivalent, PREFIX_FLAG_NAME, so containers can be configured without
// arguments. Flags on the command line win over the environment; a malformed
// value in either is an error, never silently ignored.
package flagenv

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// Name returns the environment variable for a flag, e.g. PEAKSHOP_SHUTDOWN_TIMEOUT.
func Name(prefix, flagName string) string {
	return prefix + "_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Parse applies the environment to fs, then parses args over it.
func Parse(fs *flag.FlagSet, prefix string, args []string) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := Name(prefix, f.Name)
		if !strings.Contains(f.Usage, "["+name+"]") {
			f.Usage += " [" + name + "]"
		}
		if v, ok := os.LookupEnv(name); ok && err == nil {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("environment %s=%q: %w", name, v, serr)
			}
		}
	})
	if err != nil {
		return err
	}
	return fs.Parse(args)
}
