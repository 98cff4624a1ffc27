// Package promote moves a verified release dev -> staging -> prod: it copies
// the source environment's `release` block into the target's definition
// (environments/<env>.yaml), rewriting only that block so the change is a
// small file diff in git, and appends an audit record to the history.
//
// It refuses what would make prod run something untested: skipping a stage
// without a reason, a target inside a freeze window, a source whose release
// is not what was last recorded as deployed there, and a promotion that
// changes nothing.
package promote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/components/release"
	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
)

// ReleasePath is where the release block sits in an environment definition.
var ReleasePath = []string{"values", "release"}

// Request is a promotion.
type Request struct {
	From, To string
	// DryRun shows the diff and runs every check, and writes nothing.
	DryRun bool
	// SkipStage allows skipping a stage (dev -> prod); Reason must say why.
	SkipStage bool
	Reason    string
	// Now is the clock for the freeze check and the record.
	Now time.Time
	// Who is recorded as the actor.
	Who string
}

// Result is a promotion: what it changes and, in a dry run, every refusal
// it met (a real promotion returns them as its error).
type Result struct {
	Request Request
	// File is the target's definition file.
	File string
	Diff []audit.Change
	// Before and After are the target file's text.
	Before, After []byte
	// Record is what was (or, in a dry run, would be) appended.
	Record audit.Record
	// Written is true when the file and the history were written.
	Written bool
	// NoOp is a target that already has the source's release: nothing to
	// promote, which is not an error (re-running a workflow is safe).
	NoOp bool
	// Refusals are every check that failed (a dry run reports them all).
	Refusals []*Refusal
}

// Refused is the promotion's refusals as one *Refusal, or nil. Its kind is
// ErrFrozen only when the freeze is all that stands in the way.
func (r *Result) Refused() error {
	if len(r.Refusals) == 0 {
		return nil
	}
	out := &Refusal{Kind: ErrFrozen}
	details := make([]string, 0, len(r.Refusals))
	for _, f := range r.Refusals {
		details = append(details, f.Detail)
		if !errors.Is(f.Kind, ErrFrozen) && errors.Is(out.Kind, ErrFrozen) {
			out.Kind = f.Kind
		}
	}
	out.Detail = strings.Join(details, "\n")
	return out
}

// Refusal kinds, so callers (the CLI's exit codes, CI) can tell them apart.
var (
	ErrSkipStage   = errors.New("skips a stage")
	ErrFrozen      = errors.New("target is frozen")
	ErrNotDeployed = errors.New("source release is not the one deployed")
	ErrInvalid     = errors.New("invalid promotion")
)

// Refusal is a promotion that was refused, and why.
type Refusal struct {
	Kind   error
	Detail string
}

func (r *Refusal) Error() string { return r.Detail }

// Unwrap lets errors.Is match the kind.
func (r *Refusal) Unwrap() error { return r.Kind }

func refuse(kind error, format string, args ...any) error {
	return &Refusal{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// FreezeCheck decides whether a stack may change at now; freeze.CheckStack
// in production, a fake in tests.
type FreezeCheck func(ctx context.Context, p *project.Project, stack string, now time.Time) (freeze.Decision, error)

// Promoter promotes between the environments of a project.
type Promoter struct {
	Project *project.Project
	Store   environments.Store
	History audit.History
	Freeze  FreezeCheck
}

// New is the Promoter of project p: its environments/ directory, its
// history, and the real freeze check.
func New(p *project.Project) *Promoter {
	return &Promoter{Project: p, Store: environments.StoreOf(p), History: audit.HistoryOf(p), Freeze: freeze.CheckStack}
}

// stage is env's place in the promotion order, or -1.
func stage(env string) int {
	return slices.Index(core.Environments, core.Environment(env))
}

// Promote runs every check, and unless req.DryRun writes the target's new
// release block and appends the record. A refusal is a *Refusal.
func (pr *Promoter) Promote(ctx context.Context, req Request) (*Result, error) {
	skipped, err := checkRoute(req)
	if err != nil {
		return nil, err
	}
	srcData, err := pr.Store.Read(req.From)
	if err != nil {
		return nil, err
	}
	dstData, err := pr.Store.Read(req.To)
	if err != nil {
		return nil, err
	}
	srcNode, src, err := readRelease(pr.Store.Path(req.From), srcData)
	if err != nil {
		return nil, err
	}
	_, dst, err := readRelease(pr.Store.Path(req.To), dstData)
	if err != nil {
		return nil, err
	}
	res := &Result{Request: req, File: pr.Store.Path(req.To), Diff: Diff(dst, src), Before: dstData, After: dstData}
	if len(res.Diff) == 0 {
		res.NoOp = true
		return res, nil
	}
	// Every check runs, so a dry run reports every refusal at once.
	for _, err := range []error{pr.checkDeployed(req.From, src), pr.checkFreeze(ctx, req.To, req.Now)} {
		var r *Refusal
		if errors.As(err, &r) {
			res.Refusals = append(res.Refusals, r)
		} else if err != nil {
			return nil, err
		}
	}
	after, err := environments.SetBlock(dstData, ReleasePath, srcNode)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pr.Store.Path(req.To), err)
	}
	res.After = after
	refusals, err := pr.checkConfigs(ctx, req.To, after)
	if err != nil {
		return nil, err
	}
	res.Refusals = append(res.Refusals, refusals...)
	res.Record = audit.Record{
		Kind: audit.KindPromotion, At: req.Now.UTC().Truncate(time.Second), Who: req.Who, From: req.From, To: req.To,
		Release: src, Diff: res.Diff, Reason: req.Reason, Skipped: skipped,
	}
	if req.DryRun {
		return res, nil
	}
	if err := res.Refused(); err != nil {
		return nil, err
	}
	if err := pr.write(res); err != nil {
		return nil, err
	}
	res.Written = true
	return res, nil
}

// checkConfigs loads every stack of env with the promoted definition
// (after) through the one validator plan, preview and up use
// (internal/stackconfig), so a release no target stack accepts is refused
// before it is written, not at the next deploy.
func (pr *Promoter) checkConfigs(ctx context.Context, env string, after []byte) ([]*Refusal, error) {
	target := pr.Store.Path(env)
	promoted := *pr.Project
	promoted.ReadFile = func(path string) ([]byte, error) {
		if path == target {
			return after, nil
		}
		return pr.Project.Read(path)
	}
	all, err := environments.StacksOf(ctx, pr.Project, env)
	if err != nil {
		return nil, err
	}
	var out []*Refusal
	for _, stack := range all {
		_, err := stackconfig.Load(ctx, &promoted, stack)
		var invalid *stackconfig.ConfigError
		switch {
		case errors.As(err, &invalid):
			out = append(out, &Refusal{Kind: ErrInvalid, Detail: fmt.Sprintf("with the promoted release, %v", err)})
		case err != nil:
			return nil, err
		}
	}
	return out, nil
}

// checkRoute checks the environments and the stages skipped.
func checkRoute(req Request) ([]string, error) {
	from, to := stage(req.From), stage(req.To)
	order := core.Join(core.Environments)
	switch {
	case from < 0:
		return nil, refuse(ErrInvalid, "--from %q: promote between %s", req.From, order)
	case to < 0:
		return nil, refuse(ErrInvalid, "--to %q: promote between %s", req.To, order)
	case to <= from:
		return nil, refuse(ErrInvalid, "%s -> %s goes backwards: releases move %s; to roll back, promote again from the stage that holds the release you want", req.From, req.To, promotionOrder())
	case req.SkipStage && strings.TrimSpace(req.Reason) == "":
		return nil, refuse(ErrSkipStage, "--skip-stage needs --reason: say why %s is skipped", skippedNames(from, to))
	}
	var skipped []string
	for i := from + 1; i < to; i++ {
		skipped = append(skipped, string(core.Environments[i]))
	}
	if len(skipped) > 0 && !req.SkipStage {
		return nil, refuse(ErrSkipStage, "%s -> %s skips %s: promote through it, or pass --skip-stage --reason TEXT", req.From, req.To, strings.Join(skipped, ", "))
	}
	return skipped, nil
}

func promotionOrder() string {
	names := make([]string, len(core.Environments))
	for i, e := range core.Environments {
		names[i] = string(e)
	}
	return strings.Join(names, " -> ")
}

func skippedNames(from, to int) string {
	var names []string
	for i := from + 1; i < to; i++ {
		names = append(names, string(core.Environments[i]))
	}
	if len(names) == 0 {
		return "no stage"
	}
	return strings.Join(names, ", ")
}

// checkDeployed refuses a source whose release is not what was last
// recorded as deployed there: what is promoted must be what ran.
func (pr *Promoter) checkDeployed(env string, rel map[string]any) error {
	last, ok, err := pr.History.LastDeploy(env)
	if err != nil {
		return err
	}
	if !ok {
		return refuse(ErrNotDeployed, "no deploy of %s is recorded in %s: deploy %s's release (%s) first; after a successful up, run `wedsync-infra promote record-deploy --env %s`", env, pr.History.Path, env, describe(rel), env)
	}
	if release.Canonical(last.Release) != release.Canonical(rel) {
		var lines []string
		for _, c := range Diff(last.Release, rel) {
			lines = append(lines, fmt.Sprintf("%s: deployed %s, file has %s", c.Path, show(c.From), show(c.To)))
		}
		return refuse(ErrNotDeployed, "%s's release differs from its last recorded deploy (%s by %s): %s; deploy it and record the deploy before promoting it",
			env, last.At.Format(time.RFC3339), last.Who, strings.Join(lines, "; "))
	}
	return nil
}

// checkFreeze refuses when any stack of env is frozen with no override.
func (pr *Promoter) checkFreeze(ctx context.Context, env string, now time.Time) error {
	if !freeze.Freezes(core.Environment(env)) {
		return nil
	}
	stacks, err := environments.StacksOf(ctx, pr.Project, env)
	if err != nil {
		return err
	}
	var blocked []string
	for _, s := range stacks {
		d, err := pr.Freeze(ctx, pr.Project, s, now)
		if err != nil {
			return err
		}
		if d.Blocked() {
			blocked = append(blocked, d.Message())
		}
	}
	if len(blocked) > 0 {
		return refuse(ErrFrozen, "%s is frozen:\n  %s", env, strings.Join(blocked, "\n  "))
	}
	return nil
}

// write replaces the target file and appends the record; if the record
// cannot be appended, the file is put back, so the two never disagree.
func (pr *Promoter) write(res *Result) error {
	if err := writeFile(res.File, res.After); err != nil {
		return err
	}
	if err := pr.History.Append(res.Record); err != nil {
		if restore := writeFile(res.File, res.Before); restore != nil {
			return errors.Join(err, restore)
		}
		return err
	}
	return nil
}

// writeFile replaces path through a temporary file and a rename, so a
// crash never leaves half a definition.
func writeFile(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	// After the rename there is nothing left to remove.
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readRelease returns an environment definition's release block as its
// YAML node and as plain values, refusing a block that is missing, not
// literal, or not a valid release.
func readRelease(file string, data []byte) (*yaml.Node, map[string]any, error) {
	node, err := environments.GetBlock(data, ReleasePath)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if node == nil {
		return nil, nil, refuse(ErrInvalid, "%s has no values.release block", file)
	}
	if node.Kind != yaml.MappingNode {
		return nil, nil, refuse(ErrInvalid, "%s: values.release must be a mapping", file)
	}
	if where := notLiteral(node, "release"); where != "" {
		return nil, nil, refuse(ErrInvalid, "%s: %s: a release block holds literal values only (no ${...}, no fn::), so what is promoted is exactly what was tested", file, where)
	}
	var rel map[string]any
	if err := node.Decode(&rel); err != nil {
		return nil, nil, fmt.Errorf("%s: values.release: %w", file, err)
	}
	if _, err := release.Decode(release.Canonical(rel)); err != nil {
		return nil, nil, refuse(ErrInvalid, "%s: %v", file, err)
	}
	return node, rel, nil
}

// notLiteral names the first place in n that interpolates or calls a
// function, or "".
func notLiteral(n *yaml.Node, path string) string {
	switch n.Kind {
	case yaml.ScalarNode:
		if strings.Contains(n.Value, "${") {
			return path + " interpolates " + n.Value
		}
	case yaml.AliasNode:
		return path + " is an alias"
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if strings.HasPrefix(k, "fn::") {
				return path + " calls " + k
			}
			if w := notLiteral(n.Content[i+1], path+"."+k); w != "" {
				return w
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if w := notLiteral(c, fmt.Sprintf("%s[%d]", path, i)); w != "" {
				return w
			}
		}
	}
	return ""
}

// Diff lists what changes from the release block from to the block to,
// by dotted path, sorted.
func Diff(from, to map[string]any) []audit.Change {
	a, b := map[string]any{}, map[string]any{}
	flatten("", from, a)
	flatten("", to, b)
	paths := map[string]bool{}
	for k := range a {
		paths[k] = true
	}
	for k := range b {
		paths[k] = true
	}
	var out []audit.Change
	for p := range paths {
		va, inA := a[p]
		vb, inB := b[p]
		if inA && inB && release.Canonical(va) == release.Canonical(vb) {
			continue
		}
		out = append(out, audit.Change{Path: p, From: va, To: vb})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func flatten(prefix string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, e, out)
		}
	case []any:
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), e, out)
		}
	default:
		out[prefix] = v
	}
}

// WriteDiff writes the diff as an aligned table, one changed value per line.
func WriteDiff(w io.Writer, diff []audit.Change) {
	width := 0
	for _, c := range diff {
		width = max(width, len(c.Path))
	}
	for _, c := range diff {
		fmt.Fprintf(w, "  %-*s  %s -> %s\n", width, c.Path, show(c.From), show(c.To))
	}
}

func show(v any) string {
	if v == nil {
		return "(none)"
	}
	return fmt.Sprint(v)
}

// describe is a release in a few words: its application version.
func describe(rel map[string]any) string {
	if app, ok := rel["application"]; ok {
		return fmt.Sprintf("application %v", app)
	}
	return release.Canonical(rel)
}

// RecordDeploy appends a deploy record of env's current release (and of
// stack, if given): what deploys call after a successful `up`, and what
// makes the release promotable onwards.
func (pr *Promoter) RecordDeploy(ctx context.Context, env, stack, who string, now time.Time) (audit.Record, error) {
	return pr.RecordDeployBecause(ctx, env, stack, who, "", now)
}

// RecordDeployBecause is RecordDeploy with the reason the deploy was run
// (a prod config change without a promotion, a scheduled re-apply), which
// the record keeps for the audit.
func (pr *Promoter) RecordDeployBecause(ctx context.Context, env, stack, who, reason string, now time.Time) (audit.Record, error) {
	if stage(env) < 0 {
		return audit.Record{}, refuse(ErrInvalid, "--env %q: use %s", env, core.Join(core.Environments))
	}
	data, err := pr.Store.Read(env)
	if err != nil {
		return audit.Record{}, err
	}
	_, rel, err := readRelease(pr.Store.Path(env), data)
	if err != nil {
		return audit.Record{}, err
	}
	if stack != "" {
		// A deploy that happened is recorded whatever else its config says:
		// only which environment the stack is matters here.
		sc, err := environments.StackConfig(ctx, pr.Project, stack)
		if err != nil {
			return audit.Record{}, err
		}
		if got := sc.Values[environments.EnvironmentKey]; got != env {
			return audit.Record{}, refuse(ErrInvalid, "stack %s is %s, not %s", stack, got, env)
		}
	}
	r := audit.Record{Kind: audit.KindDeploy, At: now.UTC().Truncate(time.Second), Who: who, Env: env, Stack: stack, Release: rel, Reason: reason}
	return r, pr.History.Append(r)
}
