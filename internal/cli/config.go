package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wedsync/wedsync-infra/components/appconfig"
	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/promote"
)

// The app's own settings live per environment in the repository
// (stacks/appsettings/ENV.json, with the schema beside them); every deploy
// of a stack writes them into its configuration document, which reaches
// the running instances without a restart (components/appconfig).

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "The app's settings: change one (through the wedding-day freeze), see what a deploy would change, and the history",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newConfigSetCmd(), newConfigDiffCmd(), newConfigHistoryCmd())
	return cmd
}

// settingsFile is the settings file of env in project p.
func settingsFile(p *project.Project, env core.Environment) string {
	return filepath.Join(p.Dir, "stacks", "appsettings", string(env)+".json")
}

func newConfigSetCmd() *cobra.Command {
	var stack, reason string
	var at *instant
	cmd := &cobra.Command{
		Use:   "set --stack NAME PATH=VALUE... [--reason TEXT]",
		Short: "Change the app's settings of a stack's environment, unless it is frozen",
		Long: `set changes stacks/appsettings/ENV.json (ENV is the stack's environment):
each PATH=VALUE sets a dotted path (limits.maxUploadMb=100), VALUE read as
JSON when it is JSON, else as a string. The result is checked against the
schema beside it, every problem at once, by field; nothing is written when
any is wrong. A change is a change to prod: inside a freeze it is refused
(exit 3) unless the stack's emergency override is in force
('wedsync-infra freeze override set'), exactly as a deploy is. Every change
is appended to environments/history.jsonl. Commit both files; the next
deploy of each stack of the environment writes a new version, which
reaches running instances without replacing any.

Exit codes: 0 changed (or nothing to change); 2 bad arguments or settings;
3 frozen.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, now, err := projectAndNow(cmd, at)
			if err != nil {
				return fail(err)
			}
			d, err := freeze.CheckStack(commandContext(cmd), p, stack, now)
			if err != nil {
				return fail(err)
			}
			if d.Blocked() {
				fmt.Fprintln(cmd.OutOrStdout(), d.Message())
				return &exitError{code: ExitFrozen}
			}
			return setSettings(cmd, p, d, args, reason)
		},
	}
	stackFlag(cmd, &stack, "stack whose environment's settings to change")
	at = nowFlag(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why the setting changes (recorded)")
	return cmd
}

// setSettings applies the assignments to d's environment's settings,
// validates, writes and records them.
func setSettings(cmd *cobra.Command, p *project.Project, d freeze.Decision, assignments []string, reason string) error {
	path := settingsFile(p, d.Environment)
	before, err := readSettings(path)
	if err != nil {
		return fail(err)
	}
	after, err := readSettings(path)
	if err != nil {
		return fail(err)
	}
	for _, a := range assignments {
		key, value, ok := strings.Cut(a, "=")
		if !ok || key == "" {
			return fail(fmt.Errorf("%q: write PATH=VALUE, e.g. limits.maxUploadMb=100", a))
		}
		if err := setPath(after, strings.Split(key, "."), parseValue(value)); err != nil {
			return fail(fmt.Errorf("%s: %w", key, err))
		}
	}
	data, err := json.MarshalIndent(after, "", "  ")
	if err != nil {
		return err
	}
	schema, err := os.ReadFile(filepath.Join(filepath.Dir(path), "schema.json"))
	if err != nil {
		return fail(err)
	}
	if err := appconfig.ValidateSettings(data, schema); err != nil {
		return invalid(err)
	}
	diff := promote.Diff(before, after)
	out := cmd.OutOrStdout()
	if len(diff) == 0 {
		fmt.Fprintf(out, "%s settings already say that: nothing to change\n", d.Environment)
		return nil
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return err
	}
	rec := audit.Record{Kind: audit.KindConfigChange, At: d.At.UTC().Truncate(time.Second), Who: audit.Who(p.Dir),
		Env: string(d.Environment), Stack: d.Stack, Diff: diff, Reason: reason, Override: d.Override}
	if d.Frozen {
		rec.Freeze = &audit.Window{Name: d.Window.Name, Ends: d.Window.Ends}
	}
	if err := audit.HistoryOf(p).Append(rec); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s settings changed in %s, recorded in %s:\n", d.Environment, path, audit.HistoryOf(p).Path)
	promote.WriteDiff(out, diff)
	if d.Override != nil {
		fmt.Fprintf(out, "through the freeze under the emergency override %q, approved by %s\n", d.Override.Reason, d.Override.ApprovedBy)
	}
	fmt.Fprintf(out, "Commit both files, then deploy the %s stacks: each writes a new version of its document, which running instances pick up without a restart.\n", d.Environment)
	return nil
}

func readSettings(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// parseValue reads VALUE as JSON (numbers, booleans, objects), else as a
// string.
func parseValue(raw string) any {
	var v any
	if json.Unmarshal([]byte(raw), &v) == nil {
		return v
	}
	return raw
}

// setPath sets m's value at path, making objects on the way.
func setPath(m map[string]any, path []string, value any) error {
	for _, key := range path[:len(path)-1] {
		next, ok := m[key].(map[string]any)
		if !ok {
			if _, exists := m[key]; exists {
				return fmt.Errorf("%s is not an object", key)
			}
			next = map[string]any{}
			m[key] = next
		}
		m = next
	}
	m[path[len(path)-1]] = value
	return nil
}

func newConfigDiffCmd() *cobra.Command {
	var stack string
	cmd := &cobra.Command{
		Use:   "diff --stack NAME",
		Short: "What the next deploy changes in the app's settings: the working tree against the last commit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, env, err := stackEnvironment(cmd, stack)
			if err != nil {
				return fail(err)
			}
			path := settingsFile(p, env)
			now, err := readSettings(path)
			if err != nil {
				return fail(err)
			}
			rel, _ := filepath.Rel(p.Dir, path)
			committed, err := exec.Command("git", "-C", p.Dir, "show", "HEAD:"+filepath.ToSlash(rel)).Output()
			if err != nil {
				return fail(fmt.Errorf("read %s at HEAD: %w", rel, err))
			}
			var before map[string]any
			if err := json.Unmarshal(committed, &before); err != nil {
				return fail(err)
			}
			diff := promote.Diff(before, now)
			if len(diff) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%s settings: no change since the last commit\n", env)
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s settings, last commit -> working tree:\n", env)
			promote.WriteDiff(cmd.OutOrStdout(), diff)
			return nil
		},
	}
	stackFlag(cmd, &stack, "stack whose environment's settings to compare")
	return cmd
}

func newConfigHistoryCmd() *cobra.Command {
	var stack string
	cmd := &cobra.Command{
		Use:   "history --stack NAME",
		Short: "Every recorded change to the app's settings of a stack's environment",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, env, err := stackEnvironment(cmd, stack)
			if err != nil {
				return fail(err)
			}
			records, err := audit.HistoryOf(p).Records()
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			for _, r := range records {
				if r.Kind != audit.KindConfigChange || r.Env != string(env) {
					continue
				}
				fmt.Fprintf(&buf, "%s %s (from %s)", r.At.Format(time.RFC3339), r.Who, r.Stack)
				if r.Override != nil {
					fmt.Fprintf(&buf, " under emergency override %q", r.Override.Reason)
				}
				if r.Reason != "" {
					fmt.Fprintf(&buf, ": %s", r.Reason)
				}
				buf.WriteString("\n")
				promote.WriteDiff(&buf, r.Diff)
			}
			if buf.Len() == 0 {
				buf.WriteString("no recorded change to the " + string(env) + " settings\n")
			}
			_, err = cmd.OutOrStdout().Write(buf.Bytes())
			return err
		},
	}
	stackFlag(cmd, &stack, "stack whose environment's history to show")
	return cmd
}

// stackEnvironment is the project and the environment of stack.
func stackEnvironment(cmd *cobra.Command, stack string) (*project.Project, core.Environment, error) {
	p, err := project.Find(projectDir(cmd))
	if err != nil {
		return nil, "", err
	}
	t, err := freeze.LoadTarget(commandContext(cmd), p, stack)
	if err != nil {
		return nil, "", err
	}
	return p, t.Environment, nil
}
