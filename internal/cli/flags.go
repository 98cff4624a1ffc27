package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/stacks"
)

// What every command shares: the flags for the stack and the instant, the
// project, and how a refusal becomes an exit code.

// stackFlag registers the required --stack (-s): what the command works on.
func stackFlag(cmd *cobra.Command, stack *string, what string) {
	cmd.Flags().StringVarP(stack, "stack", "s", "", what+" (a stacks/Pulumi.NAME.yaml file)")
	_ = cmd.MarkFlagRequired("stack")
}

// instant is the --now flag: the instant a command plans, checks or records
// at, the same for every command.
type instant struct{ raw string }

// nowFlag registers --now on cmd.
func nowFlag(cmd *cobra.Command) *instant {
	f := &instant{}
	cmd.Flags().StringVar(&f.raw, "now", "", "the instant to work at, RFC 3339 (default $"+stacks.NowEnv+", else the clock)")
	return f
}

// At is --now, else $WEDSYNC_NOW (the program's clock override, so
// rehearsals agree), else the clock.
func (f *instant) At() (time.Time, error) {
	if f.raw == "" {
		return stacks.Now()
	}
	t, err := time.Parse(time.RFC3339, f.raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now %q: use RFC 3339, e.g. 2026-06-13T15:00:00+01:00", f.raw)
	}
	return t, nil
}

// Source says where At comes from: "--now", "WEDSYNC_NOW" or "clock".
func (f *instant) Source() string {
	switch {
	case f.raw != "":
		return "--now"
	case os.Getenv(stacks.NowEnv) != "":
		return stacks.NowEnv
	}
	return "clock"
}

// projectAndNow is what the commands that act at an instant start with: the
// project found from --project-dir, and the instant from --now.
func projectAndNow(cmd *cobra.Command, at *instant) (*project.Project, time.Time, error) {
	now, err := at.At()
	if err != nil {
		return nil, now, err
	}
	p, err := project.Find(projectDir(cmd))
	return p, now, err
}

func projectDir(cmd *cobra.Command) string {
	dir, _ := cmd.Flags().GetString("project-dir")
	if dir == "" {
		dir, _ = os.Getwd()
	}
	return dir
}

func invalid(err error) error { return &exitError{code: ExitInvalid, err: err} }

// fail is an invalid-use error printed as its message alone: the wrapped
// causes of these commands' errors add nothing to read.
func fail(err error) error { return invalid(errors.New(err.Error())) }

// textWidth is the width text output fits: the terminal's, else $COLUMNS,
// else no limit (0), as for output to a file; wide means no limit.
func textWidth(out io.Writer, wide bool) int {
	if wide {
		return 0
	}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		return w
	}
	return 0
}
