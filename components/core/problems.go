package core

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Problem is one invalid setting: which field, the value found, and what to do.
type Problem struct {
	Field string
	Value any
	// Fix says what is wrong and what is allowed, e.g. "prod keeps backups at
	// least 35 days; set 35 or more".
	Fix string
	// At is where the value is written ("stacks/Pulumi.prod.yaml:23:7"),
	// when the reader of the file knows it.
	At string
}

func (p *Problem) Error() string {
	at := ""
	if p.At != "" {
		at = p.At + ": "
	}
	if p.Value == nil {
		return fmt.Sprintf("%s%s: %s", at, p.Field, p.Fix)
	}
	return fmt.Sprintf("%s%s = %s: %s", at, p.Field, describe(p.Value), p.Fix)
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return `"" (empty)`
		}
		return fmt.Sprintf("%q", v)
	case *bool:
		if v == nil {
			return "unset"
		}
		return fmt.Sprint(*v)
	}
	return fmt.Sprint(v)
}

// Problems collects every problem found in one validation pass, so a user sees
// them all at once instead of fixing one per run.
type Problems struct {
	// Prefix is prepended to every field, e.g. "wedsync:database.".
	Prefix string
	err    *multierror.Error
}

// Add records a problem with field (relative to Prefix) holding value.
func (p *Problems) Add(field string, value any, format string, args ...any) {
	p.err = multierror.Append(p.err, &Problem{Field: p.Prefix + field, Value: value, Fix: fmt.Sprintf(format, args...)})
}

// Missing records a required field that is not set.
func (p *Problems) Missing(field string, format string, args ...any) {
	p.err = multierror.Append(p.err, &Problem{Field: p.Prefix + field, Fix: "required: " + fmt.Sprintf(format, args...)})
}

// Include adds the problems of a nested validation, prefixing their fields
// with prefix (relative to p.Prefix). Plain errors of the form
// "field: message" (packages that do not know Problems) get the prefix too.
func (p *Problems) Include(prefix string, err error) {
	if err == nil {
		return
	}
	for _, e := range Flatten(err) {
		var pr *Problem
		if !errors.As(e, &pr) {
			field, fix, ok := strings.Cut(e.Error(), ": ")
			if !ok || strings.ContainsAny(field, " \t") {
				field, fix = "", e.Error()
			}
			pr = &Problem{Field: field, Fix: fix}
		}
		p.err = multierror.Append(p.err, &Problem{Field: strings.TrimSuffix(p.Prefix+prefix+pr.Field, "."), Value: pr.Value, Fix: pr.Fix, At: pr.At})
	}
}

// Err is nil when nothing was recorded, else a *multierror.Error listing
// every problem.
func (p *Problems) Err() error { return p.err.ErrorOrNil() }

// Flatten returns the individual errors inside err (one element when err is
// not a multierror).
func Flatten(err error) []error {
	if err == nil {
		return nil
	}
	var m *multierror.Error
	if errors.As(err, &m) {
		var out []error
		for _, e := range m.Errors {
			out = append(out, Flatten(e)...)
		}
		return out
	}
	return []error{err}
}
