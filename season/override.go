package season

import (
	"fmt"
	"strings"
	"time"
)

// Override is the stack config that lets a prod change through a freeze:
// who approved it, why, and until when. The freeze check, the deploy path
// and the policy pack all judge it with Problem, so they never disagree.
//
//	wedsync:emergencyOverride:
//	  reason: "INC-123: payments outage on a wedding Saturday"
//	  approvedBy: "jane@wedsync.example"
//	  expires: "2026-06-13T18:00:00+01:00"
type Override struct {
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approvedBy"`
	// Expires is an RFC 3339 instant; the override does nothing after it.
	Expires string `json:"expires"`
}

// Problem says why the override does not let a change through a freeze at
// now, or "" if it does: reason, approvedBy and expires all set, expires an
// RFC 3339 instant still ahead.
func (o *Override) Problem(now time.Time) string {
	if o == nil {
		return "no emergency override is set"
	}
	var missing []string
	for _, f := range []struct{ name, value string }{{"reason", o.Reason}, {"approvedBy", o.ApprovedBy}, {"expires", o.Expires}} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return "the emergency override lacks " + strings.Join(missing, ", ")
	}
	expires, err := time.Parse(time.RFC3339, o.Expires)
	if err != nil {
		return fmt.Sprintf("the emergency override's expires %q is not an RFC 3339 time", o.Expires)
	}
	if !now.Before(expires) {
		return "the emergency override expired at " + expires.Format(time.RFC3339)
	}
	return ""
}
