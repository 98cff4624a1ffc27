// Package dr prepares a disaster-recovery rebuild: it checks that the stack
// to rebuild replicated what a rebuild needs to the region asked for, that
// the restore point is within retention and that no freeze is in the way,
// and composes the DR stack's file (the same program in recovery mode,
// stacks/recovery.go). It also says, from a stack's config, what is
// replicated where and the RPO each tier guarantees (Status).
//
// Nothing here deploys: the CLI plans the composed stack offline and hands
// it to the deploy path.
package dr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/environments"
	"github.com/wedsync/wedsync-infra/internal/freeze"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
	"github.com/wedsync/wedsync-infra/stacks"
)

// Request is what on-call asks for: rebuild From in Region.
type Request struct {
	// From is the stack to rebuild, e.g. prod.
	From string
	// Region is where to rebuild: the source's DR region.
	Region string
	// RestorePoint is "latest" or an RFC3339 time; empty means latest
	// (on Azure, whose geo-restore needs an instant: Now).
	RestorePoint string
	// BackupRunID (GCP) restores a Cloud SQL backup run instead of cloning
	// the promoted replica.
	BackupRunID string
	// SourceOutputs, when set, is the source's `pulumi stack output --json`:
	// written into the DR stack as the fallback for its stack reference.
	SourceOutputs []byte
	// Now is the instant of the rebuild (freeze and retention are judged at it).
	Now time.Time
}

// Problem is one unmet prerequisite: which one, and exactly what is missing.
type Problem struct {
	// Prerequisite names it: source, region, replication, image, restore
	// point, config or freeze.
	Prerequisite string
	Message      string
}

func (p Problem) String() string { return p.Prerequisite + ": " + p.Message }

// Prerequisites.
const (
	PrereqSource       = "source"
	PrereqRegion       = "region"
	PrereqReplication  = "replication"
	PrereqImage        = "image"
	PrereqRestorePoint = "restore point"
	PrereqConfig       = "config"
	PrereqFreeze       = "freeze"
)

// Rebuild is a prepared rebuild: the DR stack's file as it would be
// written, its config as the program would see it, and every prerequisite
// it does not meet.
type Rebuild struct {
	Request
	// Stack is the DR stack: the source's name with "-dr".
	Stack string
	// Source is the source stack's validated config (zero if it does not load).
	Source stacks.Config
	// Path is the DR stack's file; Exists says whether it exists already.
	Path   string
	Exists bool
	// File is the DR stack file to write.
	File []byte
	// Config is the DR stack's merged config (its file over its environments).
	Config *project.StackConfig
	// Freeze is the freeze decision for the DR stack at Now.
	Freeze   freeze.Decision
	Problems []Problem
	// Point is the restore point written: Request.RestorePoint, "latest"
	// when empty, resolved to Now on Azure.
	Point string
}

// StackFor is the DR stack of source: "prod" -> "prod-dr".
func StackFor(source string) string { return source + "-dr" }

// Ready reports whether every prerequisite is met.
func (r *Rebuild) Ready() bool { return len(r.Problems) == 0 }

// OnlyFrozen reports whether the freeze is the one unmet prerequisite: the
// DR stack file can then be written, so an emergency override can be
// recorded in it.
func (r *Rebuild) OnlyFrozen() bool {
	return len(r.Problems) == 1 && r.Problems[0].Prerequisite == PrereqFreeze
}

func (r *Rebuild) add(prereq, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Prerequisite: prereq, Message: fmt.Sprintf(format, args...)})
}

// Prepare checks every prerequisite of req in project p and composes the
// DR stack's file. Unmet prerequisites are in Rebuild.Problems; the error
// is for what stops the check itself (unreadable files).
func Prepare(ctx context.Context, p *project.Project, req Request) (*Rebuild, error) {
	r := &Rebuild{Request: req, Stack: StackFor(req.From), Path: p.StackFile(StackFor(req.From))}
	if strings.HasSuffix(req.From, "-dr") {
		r.add(PrereqSource, "%s is itself a DR stack; rebuild from the stack whose region was lost (e.g. --from %s)", req.From, strings.TrimSuffix(req.From, "-dr"))
		return r, nil
	}
	src, err := stackconfig.Load(ctx, p, req.From)
	var invalidConfig *stackconfig.ConfigError
	switch {
	case errors.Is(err, project.ErrNoStack):
		r.add(PrereqSource, "%v", err)
		return r, nil
	case errors.As(err, &invalidConfig):
		r.add(PrereqSource, "the config of %s does not load, so what it replicates cannot be known: %v", req.From, invalidConfig.Err)
		return r, nil
	case err != nil:
		return nil, err
	}
	r.Source = src.Config
	if r.Source.Recovery != nil {
		r.add(PrereqSource, "%s is itself a recovery (wedsync:recovery); rebuild from %s", req.From, r.Source.Recovery.SourceStack)
		return r, nil
	}
	r.checkRegion()
	r.checkReplication()
	r.checkImage()
	r.Point = r.checkRestorePoint()
	if !r.Ready() {
		// The file would name a region or restore point that cannot work.
		return r, nil
	}
	if err := r.compose(p, r.Point); err != nil {
		return nil, err
	}
	cfg, err := environments.Merge(ctx, environments.StoreOf(p), p.Name, r.Stack, mustParse(r.File, p.Name))
	if err != nil {
		r.add(PrereqConfig, "%v", err)
		return r, nil
	}
	r.Config = cfg
	if _, err := stackconfig.Validate(p.Name, r.Stack, cfg.Values); err != nil {
		for _, e := range core.Flatten(errors.Unwrap(err)) {
			r.add(PrereqConfig, "%v", e)
		}
		return r, nil
	}
	t, err := freeze.TargetFromConfig(r.Stack, cfg.Values)
	if err != nil {
		r.add(PrereqConfig, "%v", err)
		return r, nil
	}
	r.Freeze = freeze.Check(t, req.Now)
	if r.Freeze.Blocked() {
		r.add(PrereqFreeze, "%s. A rebuild is an emergency change: record the override in the DR stack (%s), then run the rebuild again", firstLine(r.Freeze.Message()), freeze.OverrideCommand(r.Stack))
	}
	return r, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func mustParse(data []byte, projectName string) *project.StackConfig {
	sc, err := project.ParseStack(data, projectName)
	if err != nil {
		// compose produced it from a parsed file with SetBlock: it parses.
		panic(err)
	}
	return sc
}

// checkRegion: the rebuild must go to a real region of the source's cloud
// that is not the one being recovered from.
func (r *Rebuild) checkRegion() {
	src := r.Source
	switch {
	case r.Region == "":
		r.add(PrereqRegion, "--region is required: the region to rebuild in, %s's DR region %s", r.From, orNone(src.DRRegion))
	case !core.ValidRegion(src.Cloud, r.Region):
		r.add(PrereqRegion, "%s is not a region of %s, where %s runs", r.Region, src.Cloud.Title(), r.From)
	case r.Region == src.Region:
		r.add(PrereqRegion, "%s is %s's primary region, the one being recovered from; rebuild in its DR region %s", r.Region, r.From, orNone(src.DRRegion))
	}
}

// checkReplication: everything a rebuild reads must have been replicated to
// the region: the database's cross-region copy, the backup replicas and the
// keys they are encrypted with.
func (r *Rebuild) checkReplication() {
	src := r.Source
	if r.Region == "" || r.Region == src.Region {
		return
	}
	if src.DRRegion != r.Region {
		if src.DRRegion == "" {
			r.add(PrereqReplication, "%s replicates to no other region (wedsync:drRegion is unset): there is nothing to rebuild from in %s", r.From, r.Region)
		} else {
			r.add(PrereqReplication, "%s replicates nothing to %s: its DR region (wedsync:drRegion) is %s; rebuild there with --region %s", r.From, r.Region, src.DRRegion, src.DRRegion)
		}
		return
	}
	off := func(b *bool) bool { return b != nil && !*b }
	if off(src.Database.CrossRegionBackups) {
		r.add(PrereqReplication, "%s's database keeps no copy in %s (wedsync:database.crossRegionBackups is off): the database cannot be restored there", r.From, r.Region)
	}
	if off(src.Backup.ReplicateToDR) {
		r.add(PrereqReplication, "%s's backup buckets have no replica in %s (wedsync:backup.replicateToDR is off)", r.From, r.Region)
	}
	if off(src.Secrets.ReplicateToDR) {
		r.add(PrereqReplication, "%s keeps no keys in %s (wedsync:secrets.replicateToDR is off): what was replicated there cannot be decrypted by a key the rebuild can name", r.From, r.Region)
	}
}

// checkImage: the group launches its region's image (core.Images), so the
// release must name one in the region the rebuild goes to; without it the
// rebuild would stop at plan, or boot nothing. The fix is the cloud's way
// of putting the image there, then the release (where the DR stack reads
// it, as the source does).
func (r *Rebuild) checkImage() {
	src := r.Source
	if r.Region == "" || r.Region == src.Region || !core.ValidRegion(src.Cloud, r.Region) {
		return
	}
	images := src.Compute.Image
	if images.For(src.Cloud, r.Region) != "" {
		return
	}
	primary := images.For(src.Cloud, src.Region)
	where := fmt.Sprintf("add it to the release as images.%s.%s in environments/%s.yaml (or to wedsync:compute.image of %s)", src.Cloud, r.Region, src.Environment, r.Stack)
	var fix string
	switch src.Cloud {
	case core.AWS:
		// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html
		fix = fmt.Sprintf("an AMI boots only in its own region: copy it with `aws ec2 copy-image --source-region %s --source-image-id %s --region %s --encrypted --name wedsync-app` (or, with %s unreachable, build the image in %s), then %s", src.Region, orNone(primary), r.Region, src.Region, r.Region, where)
	case core.Azure:
		// https://learn.microsoft.com/cli/azure/sig/image-version#az-sig-image-version-update
		fix = fmt.Sprintf("a gallery image version boots only where it is replicated: add %s to its target regions (`az sig image-version update ... --add publishingProfile.targetRegions name=%s`), then %s", r.Region, r.Region, where)
	default:
		// GCP images are global: the same image serves every region.
		fix = fmt.Sprintf("a GCP image is global, so name the same image (%s) for %s: %s", orNone(primary), r.Region, where)
	}
	r.add(PrereqImage, "the release names no %s machine image in %s, so the rebuilt group cannot boot there (images in: %s); %s",
		src.Cloud.Title(), r.Region, orNone(strings.Join(images.Regions(src.Cloud), ", ")), fix)
}

// checkRestorePoint returns the restore point to write: within the source's
// backup retention, not in the future, and in the form the cloud restores.
func (r *Rebuild) checkRestorePoint() string {
	src, now := r.Source, r.Now
	point := r.RestorePoint
	if point == "" {
		point = core.LatestRestorableTime
	}
	if r.BackupRunID != "" && src.Cloud != core.GCP {
		r.add(PrereqRestorePoint, "--backup-run-id is for Cloud SQL (GCP); %s is on %s", r.From, src.Cloud.Title())
	}
	if point == core.LatestRestorableTime {
		if src.Cloud == core.Azure {
			// Azure's geo-restore takes an instant; now asks for the latest
			// geo-replicated backup.
			return now.UTC().Truncate(time.Minute).Format(time.RFC3339)
		}
		return point
	}
	t, err := time.Parse(time.RFC3339, point)
	if err != nil {
		r.add(PrereqRestorePoint, "--restore-point %q: use %q or an RFC3339 time, e.g. 2026-06-13T14:00:00Z", point, core.LatestRestorableTime)
		return point
	}
	days := src.Database.BackupRetentionDays
	earliest := now.Add(-time.Duration(days) * 24 * time.Hour)
	switch {
	case t.After(now):
		r.add(PrereqRestorePoint, "%s is in the future (now is %s)", point, now.UTC().Format(time.RFC3339))
	case t.Before(earliest):
		r.add(PrereqRestorePoint, "%s is outside %s's backup retention: it keeps %d days of backups, so the earliest restore point is %s", point, r.From, days, earliest.UTC().Format(time.RFC3339))
	case src.Cloud == core.GCP && r.BackupRunID == "":
		r.add(PrereqRestorePoint, "Cloud SQL reaches an earlier instant in another region only from a backup run: pass --backup-run-id (gcloud sql backups list --instance %s) or restore latest from the promoted replica", r.From)
	}
	return point
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Config keys the rebuild writes.
var (
	keyRegion   = []string{"config", stacks.Namespace + ":region"}
	keyDRRegion = []string{"config", stacks.Namespace + ":drRegion"}
	keyRecovery = []string{"config", stacks.Namespace + ":recovery"}
	// Keys of the source's file a new DR stack does not inherit: an
	// override is for one stack and one incident. The offsite tier is
	// inherited: the DR stack copies its own region's backups to the
	// source's offsite site, into buckets of its own.
	notInherited = [][]string{
		{"config", stacks.Namespace + ":emergencyOverride"},
	}
)

// compose makes the DR stack's file: the existing one updated, or the
// source's file turned into recovery mode. Only the keys it sets change;
// every other line (administrators, sizes, comments) stays.
func (r *Rebuild) compose(p *project.Project, restorePoint string) error {
	data, err := os.ReadFile(r.Path)
	switch {
	case err == nil:
		r.Exists = true
	case errors.Is(err, os.ErrNotExist):
		if data, err = r.fromSource(p); err != nil {
			return err
		}
	default:
		return err
	}
	rec := stacks.Recovery{}
	if node, err := environments.GetBlock(data, keyRecovery); err != nil {
		return fmt.Errorf("%s: %w", r.Path, err)
	} else if node != nil {
		if err := decodeNode(node, &rec); err != nil {
			return fmt.Errorf("%s: %s: %w", r.Path, strings.Join(keyRecovery[1:], ""), err)
		}
	}
	rec.SourceStack = r.From
	rec.RestorePoint = restorePoint
	rec.BackupRunID = r.BackupRunID
	if len(r.SourceOutputs) > 0 {
		var outs stacks.SourceOutputs
		if err := json.Unmarshal(r.SourceOutputs, &outs); err != nil {
			return fmt.Errorf("--source-outputs: not the JSON of `pulumi stack output --json --stack %s`: %w", r.From, err)
		}
		rec.SourceOutputs = &outs
	}
	for _, set := range []struct {
		path  []string
		value any
	}{
		{keyRegion, r.Region},
		{keyDRRegion, r.Source.Region},
		{keyRecovery, rec},
	} {
		node, err := toNode(set.value)
		if err != nil {
			return err
		}
		if data, err = environments.SetBlock(data, set.path, node); err != nil {
			return fmt.Errorf("%s: %w", r.Path, err)
		}
	}
	r.File = data
	return nil
}

// fromSource is the source's stack file as the start of a new DR stack.
func (r *Rebuild) fromSource(p *project.Project) ([]byte, error) {
	data, err := os.ReadFile(p.StackFile(r.From))
	if err != nil {
		return nil, err
	}
	for _, path := range notInherited {
		out, _, err := environments.RemoveBlock(data, path)
		if err != nil && len(path) > 2 {
			// The block's only key: drop the whole block.
			out, _, err = environments.RemoveBlock(data, path[:2])
		}
		if err != nil {
			return nil, err
		}
		data = out
	}
	// The source's header comment describes the source; this file is its
	// recovery.
	lines := strings.SplitAfter(string(data), "\n")
	i := 0
	for i < len(lines) && strings.HasPrefix(lines[i], "#") {
		i++
	}
	header := fmt.Sprintf("# %s: %s rebuilt in %s after losing %s, in recovery mode\n# (stacks/recovery.go). Written by `wedsync-infra dr rebuild --from %s\n# --region %s`; see docs/runbooks/dr-region-rebuild.md.\n",
		r.Stack, r.From, r.Region, r.Source.Region, r.From, r.Region)
	return []byte(header + strings.Join(lines[i:], "")), nil
}

// toNode is v as a YAML block node, keys in the order of v's JSON.
func toNode(v any) (*yaml.Node, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	n := doc.Content[0]
	block(n)
	return n, nil
}

// block turns JSON's flow style into block style, and leaves strings
// unquoted where YAML reads them back as the same string.
func block(n *yaml.Node) {
	if n.Kind != yaml.ScalarNode || plainSafe(n.Value) {
		n.Style = 0
	}
	for _, c := range n.Content {
		block(c)
	}
}

// plainSafe reports whether s, written unquoted, reads back as the string s
// (not a time, number, boolean or null).
func plainSafe(s string) bool {
	var back any
	if err := yaml.Unmarshal([]byte("v: "+s), &back); err != nil {
		return false
	}
	m, ok := back.(map[string]any)
	return ok && m["v"] == s
}

// decodeNode reads a YAML node through its JSON names.
func decodeNode(n *yaml.Node, out any) error {
	var plain any
	if err := n.Decode(&plain); err != nil {
		return err
	}
	raw, err := json.Marshal(plain)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// Write writes the DR stack's file.
func (r *Rebuild) Write() error {
	if r.File == nil {
		return errors.New("nothing to write: the rebuild's prerequisites are not met")
	}
	return os.WriteFile(r.Path, r.File, 0o644)
}
