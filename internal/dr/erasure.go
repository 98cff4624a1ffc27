package dr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wedsync/wedsync-infra/internal/erasure"
)

// Acceptance lets a rebuild go on to the traffic switch without a complete
// erasure replay (--accept-unreplayed): on-call's decision, recorded with
// its reason in the audit history.
type Acceptance struct {
	Accept bool
	Reason string
}

// Validate refuses an acceptance without a reason, or a reason without one.
func (a Acceptance) Validate() error {
	switch {
	case a.Accept && strings.TrimSpace(a.Reason) == "":
		return errors.New("--accept-unreplayed needs --reason: why the restored database may serve before every erased person is erased again")
	case !a.Accept && a.Reason != "":
		return errors.New("--reason is only for --accept-unreplayed")
	}
	return nil
}

// Gate says whether a rebuild may switch traffic after its erasure replay
// (out, or err when it could not run), and if not, what is wrong and
// whether it was a ledger or database out of reach (rather than entries
// that failed). GDPR Art. 17: a restore must not bring an erased person
// back into service.
func Gate(out *erasure.Outcome, err error) (ok bool, unreachable bool, problem string) {
	switch {
	case err != nil:
		return false, true, "the erasure replay could not run: " + err.Error()
	case out.Unreachable:
		return false, true, "the erasure replay could not reach " + out.Error
	case !out.OK():
		return false, false, fmt.Sprintf("the erasure replay left %d entries failed and %d malformed", out.Counts[erasure.Failed], out.Counts[erasure.Malformed])
	}
	return true, false, ""
}
