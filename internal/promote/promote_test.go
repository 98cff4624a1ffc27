package promote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wedsync/wedsync-infra/components/release"
	"github.com/wedsync/wedsync-infra/internal/audit"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/season"
)

var (
	wednesday = time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC)
	saturday  = time.Date(2026, 6, 13, 11, 0, 0, 0, time.UTC)
)

// copyRepo copies the project's Pulumi.yaml, stack files and environment
// definitions into a temp dir, with an empty history.
func copyRepo(t *testing.T) *project.Project {
	t.Helper()
	src, err := project.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	copyGlob := func(pattern, into string) {
		t.Helper()
		matches, err := filepath.Glob(filepath.Join(src.Dir, pattern))
		if err != nil || len(matches) == 0 {
			t.Fatalf("nothing matches %s: %v", pattern, err)
		}
		if err := os.MkdirAll(filepath.Join(dst, into), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, m := range matches {
			data, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, into, filepath.Base(m)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	copyGlob("Pulumi.yaml", ".")
	copyGlob("stacks/Pulumi.*.yaml", "stacks")
	copyGlob("environments/*.yaml", "environments")
	p, err := project.Load(dst)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// deployed records env's current release as deployed.
func deployed(t *testing.T, pr *Promoter, env string) {
	t.Helper()
	if _, err := pr.RecordDeploy(context.Background(), env, "", "ci", wednesday.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func request(from, to string) Request {
	return Request{From: from, To: to, Now: wednesday, Who: "jane"}
}

func releaseOf(t *testing.T, pr *Promoter, env string) release.Release {
	t.Helper()
	e, err := pr.Store.Evaluate(context.Background(), "wedsync", env)
	if err != nil {
		t.Fatal(err)
	}
	r, err := release.Decode(release.Canonical(e.Release))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPromotionCopiesOnlyTheReleaseBlock(t *testing.T) {
	p := copyRepo(t)
	pr := New(p)
	deployed(t, pr, "staging")
	before := read(t, pr.Store.Path("prod"))
	staging := releaseOf(t, pr, "staging")

	res, err := pr.Promote(context.Background(), request("staging", "prod"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written {
		t.Fatal("not written")
	}
	if got := releaseOf(t, pr, "prod"); !reflect.DeepEqual(got, staging) {
		t.Errorf("prod release = %+v, want staging's %+v", got, staging)
	}
	// Every line outside the release block is as it was.
	after := read(t, pr.Store.Path("prod"))
	outside := func(text string) string {
		lines := strings.Split(text, "\n")
		var keep []string
		in := false
		for _, l := range lines {
			switch {
			case l == "  release:":
				in = true
				continue
			case in && strings.HasPrefix(l, "    "):
				continue
			}
			in = false
			keep = append(keep, l)
		}
		return strings.Join(keep, "\n")
	}
	if outside(after) != outside(before) {
		t.Errorf("lines outside the release block changed:\n%s", after)
	}
	if !strings.Contains(after, "# what was tested. Sizes, regions and retention stay per environment.") || !strings.Contains(after, "# calendar's default; dated freezes are added here.") {
		t.Error("comments were lost")
	}
	// The environment's own values are untouched.
	env, err := pr.Store.Evaluate(context.Background(), "wedsync", "prod")
	if err != nil {
		t.Fatal(err)
	}
	if env.PulumiConfig["wedsync:costCentre"] != "wedsync-prod" || env.EnvironmentVariables["WEDSYNC_RELEASE"] != staging.Application {
		t.Errorf("prod after promotion: %v %v", env.PulumiConfig, env.EnvironmentVariables)
	}
}

func TestDiffListsEveryChangedValue(t *testing.T) {
	p := copyRepo(t)
	pr := New(p)
	deployed(t, pr, "staging")
	req := request("staging", "prod")
	req.DryRun = true
	res, err := pr.Promote(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range res.Diff {
		paths = append(paths, c.Path)
	}
	// Images are per region: each region's image is its own change.
	want := "application,images.aws.eu-west-1,images.aws.eu-west-2,images.azure.uksouth,images.azure.ukwest,images.gcp.europe-west1,images.gcp.europe-west2"
	if got := strings.Join(paths, ","); got != want {
		t.Errorf("diff paths = %s, want %s (postgresVersion is unchanged)", got, want)
	}
	if res.Diff[0].From != "2026.11.2" || res.Diff[0].To != "2026.11.3" {
		t.Errorf("application: %v -> %v", res.Diff[0].From, res.Diff[0].To)
	}
	var b bytes.Buffer
	WriteDiff(&b, res.Diff)
	if !strings.Contains(b.String(), fmt.Sprintf("  %-23s  2026.11.2 -> 2026.11.3\n", "application")) ||
		!strings.Contains(b.String(), "  images.aws.eu-west-1     ami-08d4f6b8c0e2a4b6f -> ami-0b8f0d2c4e6a8b0d3\n") {
		t.Errorf("readable diff:\n%s", b.String())
	}
}

func TestDiffShowsAddedAndRemovedValues(t *testing.T) {
	d := Diff(map[string]any{"images": map[string]any{"aws": "a"}}, map[string]any{"images": map[string]any{"gcp": "g"}})
	if len(d) != 2 || d[0].Path != "images.aws" || d[0].To != nil || d[1].Path != "images.gcp" || d[1].From != nil {
		t.Errorf("diff = %+v", d)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	p := copyRepo(t)
	pr := New(p)
	deployed(t, pr, "staging")
	before, history := read(t, pr.Store.Path("prod")), read(t, pr.History.Path)
	req := request("staging", "prod")
	req.DryRun = true
	res, err := pr.Promote(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written || read(t, pr.Store.Path("prod")) != before || read(t, pr.History.Path) != history {
		t.Error("a dry run wrote")
	}
	if string(res.After) == before {
		t.Error("a dry run shows no change")
	}
}

func TestEveryPromotionIsRecorded(t *testing.T) {
	p := copyRepo(t)
	pr := New(p)
	deployed(t, pr, "staging")
	req := request("staging", "prod")
	req.Reason = "November release"
	if _, err := pr.Promote(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	records, err := pr.History.Records()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 {
		t.Fatalf("records = %d, want the deploy and the promotion", len(records))
	}
	r := records[1]
	if r.Kind != audit.KindPromotion || r.Who != "jane" || !r.At.Equal(wednesday) || r.From != "staging" || r.To != "prod" || r.Reason != "November release" {
		t.Errorf("record = %+v", r)
	}
	// The application and each of six regions' images.
	if len(r.Diff) != 7 || r.Release["application"] != "2026.11.3" {
		t.Errorf("record diff %+v, release %v", r.Diff, r.Release)
	}
	lines := strings.Split(strings.TrimSuffix(read(t, pr.History.Path), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], `{"kind":"promotion","at":"2026-06-10T12:00:00Z","who":"jane","from":"staging","to":"prod"`) {
		t.Errorf("history lines:\n%s", strings.Join(lines, "\n"))
	}
}

func TestPromotingTwiceIsANoOp(t *testing.T) {
	p := copyRepo(t)
	pr := New(p)
	deployed(t, pr, "staging")
	if _, err := pr.Promote(context.Background(), request("staging", "prod")); err != nil {
		t.Fatal(err)
	}
	prod, history := read(t, pr.Store.Path("prod")), read(t, pr.History.Path)
	res, err := pr.Promote(context.Background(), request("staging", "prod"))
	if err != nil || !res.NoOp || res.Written {
		t.Fatalf("second promotion: %+v, %v; want a no-op, not an error", res, err)
	}
	if read(t, pr.Store.Path("prod")) != prod || read(t, pr.History.Path) != history {
		t.Error("a no-op promotion wrote")
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, pr *Promoter)
		req   func() Request
		kind  error
		want  string
	}{
		{
			name: "skipping_staging", setup: func(t *testing.T, pr *Promoter) { deployed(t, pr, "dev") },
			req: func() Request { return request("dev", "prod") }, kind: ErrSkipStage, want: "dev -> prod skips staging",
		},
		{
			name: "skip_stage_without_reason", setup: func(t *testing.T, pr *Promoter) { deployed(t, pr, "dev") },
			req: func() Request {
				r := request("dev", "prod")
				r.SkipStage = true
				return r
			}, kind: ErrSkipStage, want: "--skip-stage needs --reason",
		},
		{
			name: "backwards", setup: func(*testing.T, *Promoter) {},
			req: func() Request { return request("prod", "staging") }, kind: ErrInvalid, want: "goes backwards",
		},
		{
			name: "unknown_environment", setup: func(*testing.T, *Promoter) {},
			req: func() Request { return request("qa", "prod") }, kind: ErrInvalid, want: `--from "qa"`,
		},
		{
			name: "prod_frozen_on_a_wedding_saturday", setup: func(t *testing.T, pr *Promoter) { deployed(t, pr, "staging") },
			req: func() Request {
				r := request("staging", "prod")
				r.Now = saturday
				return r
			}, kind: ErrFrozen, want: "prod-gcp (prod) is frozen for wedding days",
		},
		{
			name: "source_never_deployed", setup: func(*testing.T, *Promoter) {},
			req: func() Request { return request("staging", "prod") }, kind: ErrNotDeployed, want: "no deploy of staging is recorded",
		},
		{
			name: "source_changed_since_its_deploy", setup: func(t *testing.T, pr *Promoter) {
				deployed(t, pr, "staging")
				deployed(t, pr, "dev")
				// dev -> staging, so staging now holds a release never deployed there.
				if _, err := pr.Promote(context.Background(), request("dev", "staging")); err != nil {
					t.Fatal(err)
				}
			},
			req: func() Request { return request("staging", "prod") }, kind: ErrNotDeployed, want: "application: deployed 2026.11.3, file has 2026.11.4",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pr := New(copyRepo(t))
			c.setup(t, pr)
			prod := read(t, pr.Store.Path("prod"))
			_, err := pr.Promote(context.Background(), c.req())
			var r *Refusal
			if !errors.As(err, &r) || !errors.Is(err, c.kind) {
				t.Fatalf("err = %v, want a %v refusal", err, c.kind)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to say %q", err, c.want)
			}
			if read(t, pr.Store.Path("prod")) != prod {
				t.Error("a refused promotion changed prod")
			}
		})
	}
}

func TestStagingNeverFreezes(t *testing.T) {
	pr := New(copyRepo(t))
	deployed(t, pr, "dev")
	req := request("dev", "staging")
	req.Now = saturday
	if _, err := pr.Promote(context.Background(), req); err != nil {
		t.Fatalf("dev -> staging on a Saturday: %v", err)
	}
}

func TestSkippingAStageWithAReasonIsRecorded(t *testing.T) {
	pr := New(copyRepo(t))
	deployed(t, pr, "dev")
	req := request("dev", "prod")
	req.SkipStage, req.Reason = true, "INC-9: staging is down; fix verified in dev"
	res, err := pr.Promote(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Record.Skipped, ",") != "staging" || res.Record.Reason != req.Reason {
		t.Errorf("record = %+v", res.Record)
	}
}

func TestAReleaseBlockMustBeLiteralAndValid(t *testing.T) {
	cases := map[string]struct{ old, new, want string }{
		"interpolation": {`application: "2026.11.3"`, `application: ${base.version}`, "interpolates"},
		"function":      {`postgresVersion: "16"`, "postgresVersion:\n      fn::join: [\"\", [\"1\", \"6\"]]", "calls fn::join"},
		"invalid":       {`postgresVersion: "16"`, `postgresVersion: "9"`, `release.postgresVersion = "9"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			pr := New(copyRepo(t))
			path := pr.Store.Path("staging")
			text := read(t, path)
			if !strings.Contains(text, c.old) {
				t.Fatalf("staging.yaml has no %q", c.old)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(text, c.old, c.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := pr.Promote(context.Background(), request("staging", "prod"))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestHistoryIsAppendOnly(t *testing.T) {
	pr := New(copyRepo(t))
	deployed(t, pr, "dev")
	deployed(t, pr, "staging")
	before := read(t, pr.History.Path)
	if _, err := pr.Promote(context.Background(), request("staging", "prod")); err != nil {
		t.Fatal(err)
	}
	if _, err := pr.Promote(context.Background(), request("dev", "staging")); err != nil {
		t.Fatal(err)
	}
	after := read(t, pr.History.Path)
	if !strings.HasPrefix(after, before) {
		t.Fatalf("existing lines were rewritten:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if n := strings.Count(after, "\n"); n != 4 {
		t.Errorf("%d lines, want 4", n)
	}
}

func TestADamagedHistoryIsNotAppendedTo(t *testing.T) {
	pr := New(copyRepo(t))
	if err := os.WriteFile(pr.History.Path, []byte(`{"kind":"deploy","env":"staging"`), 0o644); err != nil {
		t.Fatal(err)
	}
	err := pr.History.Append(audit.Record{Kind: audit.KindDeploy, Env: "dev"})
	if err == nil || !strings.Contains(err.Error(), "does not end with a newline") {
		t.Fatalf("err = %v", err)
	}
	if got := read(t, pr.History.Path); got != `{"kind":"deploy","env":"staging"` {
		t.Errorf("history changed: %s", got)
	}
}

func TestRecordDeployChecksTheStacksEnvironment(t *testing.T) {
	pr := New(copyRepo(t))
	if _, err := pr.RecordDeploy(context.Background(), "staging", "prod-gcp", "ci", wednesday); err == nil || !strings.Contains(err.Error(), "stack prod-gcp is prod, not staging") {
		t.Fatalf("err = %v", err)
	}
	r, err := pr.RecordDeploy(context.Background(), "prod", "prod-gcp", "ci", wednesday)
	if err != nil {
		t.Fatal(err)
	}
	if r.Stack != "prod-gcp" || r.Release["application"] != "2026.11.2" {
		t.Errorf("record = %+v", r)
	}
}

func TestTheShippedHistoryParses(t *testing.T) {
	p, err := project.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(environments.Dir(p), audit.HistoryFile)); err != nil {
		t.Fatalf("the history file is missing: %v", err)
	}
	if _, err := audit.HistoryOf(p).Records(); err != nil {
		t.Fatal(err)
	}
}

func TestAFrozenTargetNeedsAnOverrideOnEveryOneOfItsStacks(t *testing.T) {
	p := copyRepo(t)
	pr := New(p)
	deployed(t, pr, "staging")
	req := request("staging", "prod")
	req.Now = saturday
	o := season.Override{Reason: "INC-123", ApprovedBy: "lead", Expires: "2026-06-14T06:00:00+01:00"}
	stacks, err := environments.StacksOf(context.Background(), p, "prod")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range stacks {
		if err := freeze.SetOverride(p, s, o); err != nil {
			t.Fatal(err)
		}
		_, err := pr.Promote(context.Background(), req)
		if last := i == len(stacks)-1; last != (err == nil) {
			t.Fatalf("with overrides on %v: err = %v", stacks[:i+1], err)
		}
	}
}

// A dry run reports every refusal, and still the diff.
func TestDryRunReportsEveryRefusalAndTheDiff(t *testing.T) {
	pr := New(copyRepo(t))
	req := request("staging", "prod")
	req.Now, req.DryRun = saturday, true
	res, err := pr.Promote(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diff) == 0 || len(res.Refusals) != 2 || !errors.Is(res.Refusals[0], ErrNotDeployed) || !errors.Is(res.Refusals[1], ErrFrozen) {
		t.Fatalf("diff %v, refusals %v; want the diff, not deployed and frozen", res.Diff, res.Refusals)
	}
	if !errors.Is(res.Refused(), ErrNotDeployed) {
		t.Errorf("refused as %v, want not deployed (the freeze is not all)", res.Refused())
	}
}

// A release that a target stack's config refuses is refused by the
// promotion, as plan would refuse the stack afterwards, and nothing is
// written.
func TestPromotionRefusesAReleaseTheTargetStacksRefuse(t *testing.T) {
	p := copyRepo(t)
	pr := New(p)
	staging := pr.Store.Path("staging")
	// A release of its own shape (release.Validate passes) without the
	// images the Azure stacks boot.
	var kept []string
	for _, l := range strings.Split(read(t, staging), "\n") {
		if !strings.Contains(l, ": /subscriptions/") {
			kept = append(kept, l)
		}
	}
	broken := strings.Join(kept, "\n")
	if err := os.WriteFile(staging, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	deployed(t, pr, "staging")
	before := read(t, pr.Store.Path("prod"))
	_, err := pr.Promote(context.Background(), request("staging", "prod"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "stack prod-azure") || strings.Contains(err.Error(), "stack prod:") {
		t.Fatalf("err = %v, want the Azure stacks (only) refusing a release without their image", err)
	}
	if read(t, pr.Store.Path("prod")) != before {
		t.Error("the refused release was written")
	}
}

// Promotion carries images per region, and refuses a release without an
// image in a DR stack's region: the DR stack could not boot it, and the
// time to learn that is now, not during a regional outage.
func TestPromotionRefusesAReleaseWithoutTheDRRegionsImage(t *testing.T) {
	p := copyRepo(t)
	pr := New(p)
	staging := pr.Store.Path("staging")
	var kept []string
	for _, l := range strings.Split(read(t, staging), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "eu-west-1: ami-") {
			kept = append(kept, l)
		}
	}
	if err := os.WriteFile(staging, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	deployed(t, pr, "staging")
	before := read(t, pr.Store.Path("prod"))
	_, err := pr.Promote(context.Background(), request("staging", "prod"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "stack prod-dr") || !strings.Contains(err.Error(), "image.aws.eu-west-1") || strings.Contains(err.Error(), "stack prod:") {
		t.Fatalf("err = %v, want prod-dr (only) refusing a release without an eu-west-1 image", err)
	}
	if read(t, pr.Store.Path("prod")) != before {
		t.Error("the refused release was written")
	}
	// The intact release is promoted with every region's image.
	p = copyRepo(t)
	pr = New(p)
	deployed(t, pr, "staging")
	if _, err := pr.Promote(context.Background(), request("staging", "prod")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, pr.Store.Path("prod")); !strings.Contains(got, "eu-west-1: ami-0b8f0d2c4e6a8b0d3") || !strings.Contains(got, "ukwest: /subscriptions/") {
		t.Errorf("prod's release lacks the DR regions' images:\n%s", got)
	}
}
