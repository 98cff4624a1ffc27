package drill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/wedsync/wedsync-infra/components/core"
	"github.com/wedsync/wedsync-infra/internal/dr"
	"github.com/wedsync/wedsync-infra/internal/project"
	"github.com/wedsync/wedsync-infra/internal/stackconfig"
	"github.com/wedsync/wedsync-infra/policies/rules"
	"github.com/wedsync/wedsync-infra/stacks"
)

// ScratchPrefix starts the name of every scratch recovery stack, so a
// leftover one is recognisable (and the drill identity may create only
// stacks and resources under it).
const ScratchPrefix = stacks.DrillStackPrefix

// ScratchName is the throwaway recovery stack of a drill of source started
// at: "drill-prod-202612081500" (UTC, to the minute).
func ScratchName(source string, at time.Time) string {
	return ScratchPrefix + source + "-" + at.UTC().Format("200601021504")
}

// Scratch is a throwaway recovery stack: the source's DR stack as `dr
// rebuild` composes it (recovery mode, in the source's DR region), under a
// scratch name, at the smallest size prod accepts, and publishing no DNS
// record.
type Scratch struct {
	// Name is the scratch stack's; Source the stack it rebuilds.
	Name, Source string
	// Project is the Pulumi project's name.
	Project string
	// Region is where it is rebuilt: the source's DR region.
	Region string
	// Config is its merged config (the DR stack's file over its
	// environments, with the drill's overrides).
	Config *project.StackConfig
	// Now is the instant the program plans for.
	Now time.Time
}

// scratchOverrides are what makes a recovery stack a drill's: drill mode
// (it adopts, creates and configures nothing of the source's: see
// stacks.Recovery.Drill), the smallest sizes prod accepts
// (components/database and autoscaling refuse burstable classes in prod),
// and the hostname left to the stack that has it (failover standby
// publishes no record).
var scratchOverrides = map[string]map[string]any{
	stacks.Namespace + ":recovery": {"drill": true},
	stacks.Namespace + ":database": {"size": "small"},
	stacks.Namespace + ":compute":  {"size": "small"},
	stacks.Namespace + ":ingress":  {"failover": "standby"},
}

// ScratchProblems are the prerequisites of the DR path a drill does not
// meet (dr.Prepare's): the drill does not start.
type ScratchProblems struct {
	Source   string
	Problems []dr.Problem
}

func (e *ScratchProblems) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  - " + p.String()
	}
	return fmt.Sprintf("the DR path of %s is not ready, so no scratch recovery stack is made:\n%s", e.Source, strings.Join(lines, "\n"))
}

// Frozen reports whether the freeze is the one unmet prerequisite.
func (e *ScratchProblems) Frozen() bool {
	return len(e.Problems) == 1 && e.Problems[0].Prerequisite == dr.PrereqFreeze
}

// PrepareScratch composes the scratch recovery stack of a drill of source
// at now: the DR path's own composition (dr.Prepare: the source's DR
// region, its replication, the restore point, the freeze), renamed and
// resized. Nothing is written: the stack file stays the DR stack's.
func PrepareScratch(ctx context.Context, p *project.Project, source string, now time.Time) (*Scratch, error) {
	src, err := stackconfig.Load(ctx, p, source)
	if err != nil {
		return nil, err
	}
	r, err := dr.Prepare(ctx, p, dr.Request{From: source, Region: src.Config.DRRegion, Now: now})
	if err != nil {
		return nil, err
	}
	if !r.Ready() {
		return nil, &ScratchProblems{Source: source, Problems: r.Problems}
	}
	s := &Scratch{Name: ScratchName(source, now), Source: source, Project: p.Name, Region: r.Region, Now: now}
	cfg := *r.Config
	cfg.Values = maps.Clone(r.Config.Values)
	for key, set := range scratchOverrides {
		v, err := withFields(cfg.Values[key], set)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		cfg.Values[key] = v
	}
	// Its own hostname: the certificate's DNS validation record is then the
	// scratch stack's, not the one the source's certificate renews with.
	if cfg.Values[ingressKey], err = withFields(cfg.Values[ingressKey], map[string]any{"hostname": s.Name + "." + ScratchZone}); err != nil {
		return nil, fmt.Errorf("%s: %w", ingressKey, err)
	}
	if cfg.Values[policyKey], err = withExemptions(cfg.Values[policyKey], src.Config.Cloud); err != nil {
		return nil, fmt.Errorf("%s: %w", policyKey, err)
	}
	if _, err := stackconfig.Validate(p.Name, s.Name, cfg.Values); err != nil {
		var ce *stackconfig.ConfigError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("the scratch recovery stack %s does not validate: %w", s.Name, ce.Err)
		}
		return nil, err
	}
	s.Config = &cfg
	return s, nil
}

// withFields is the JSON object raw (empty: {}) with fields set.
func withFields(raw string, fields map[string]any) (string, error) {
	obj := map[string]any{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			return "", fmt.Errorf("not a JSON object: %w", err)
		}
	}
	maps.Copy(obj, fields)
	out, err := json.Marshal(obj)
	return string(out), err
}

const (
	policyKey  = stacks.Namespace + ":policy"
	ingressKey = stacks.Namespace + ":ingress"
)

// ScratchZone is the domain under which a scratch stack names its
// hostname (in the default DNS zone wedsync.co.uk), so nothing it makes
// in the zone is a record of a real stack's.
const ScratchZone = "drill.wedsync.co.uk"

// scratchDatabase is the scratch stack's database by its URN's tail, per
// cloud (the type as components/database registers it).
var scratchDatabase = map[core.Cloud]string{
	core.AWS:   "wedsync:database:Database$aws:rds/instance:Instance::main",
	core.GCP:   "wedsync:database:Database$gcp:sql/databaseInstance:DatabaseInstance::main",
	core.Azure: "wedsync:database:Database$azure-native:dbforpostgresql/v20240801:Server::main",
}

// drillExemptions are the pack's rules a drill's restored database does
// not meet by design: it makes no copies of its own (no vault, no export;
// stacks.Recovery.Drill), being a copy destroyed within hours.
var drillExemptions = []string{rules.PolicyDatabaseLockedCopy, rules.PolicyDatabaseOffsiteCopy}

// scratchNetwork is the scratch stack's network by its URN's tail, on the
// clouds whose flow logs are a resource of their own (a GCP subnetwork
// logs its flows itself).
var scratchNetwork = map[core.Cloud]string{
	core.AWS:   "wedsync:network:Network$aws:ec2/vpc:Vpc::primary",
	core.Azure: "wedsync:network:Network$azure-native:network/v20240301:VirtualNetwork::primary",
}

// withExemptions is the policy config raw with the drill's exemptions for
// the scratch stack on cloud added to its own: the database's, and the
// network's flow logs, which a drill does not record (its network carries
// no app, only the drill's session, which the database logs; the log would
// be written under the source's key: stacks.Recovery.Drill).
func withExemptions(raw string, cloud core.Cloud) (string, error) {
	obj := map[string]any{}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			return "", fmt.Errorf("not a JSON object: %w", err)
		}
	}
	list, _ := obj["exemptions"].([]any)
	for _, policy := range drillExemptions {
		list = append(list, map[string]any{"urn": scratchDatabase[cloud], "policy": policy,
			"reason": "a restore drill's scratch copy makes no copies of its own and is destroyed within hours"})
	}
	if urn, ok := scratchNetwork[cloud]; ok {
		list = append(list, map[string]any{"urn": urn, "policy": rules.PolicyFlowLogs,
			"reason": "a restore drill's network carries only the drill's session, which the database logs, for hours; its flow log would use the source's key"})
	}
	obj["exemptions"] = list
	out, err := json.Marshal(obj)
	return string(out), err
}
