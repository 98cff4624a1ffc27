package deploy

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/wedsync/wedsync-infra/internal/project"
)

// Drifted is a resource the cloud holds differently from the stack's state:
// changed (Op "update", Properties naming what differs) or gone (Op
// "delete") behind the program's back.
type Drifted struct {
	URN  string `json:"urn"`
	Type string `json:"type"`
	Op   string `json:"op"`
	// Properties are the top-level properties that differ, sorted: the
	// inputs the program set where any differ, else the outputs.
	Properties []string `json:"properties,omitempty"`
	// Protected resources (databases, backup buckets, keys) page on drift.
	Protected bool `json:"protected"`
}

// DriftReport is what a drift check found.
type DriftReport struct {
	Drifted []Drifted
	// SchedulesValidUntil is the deployed stack's app.schedulesValidUntil
	// output: when its season schedules stop following the calendar (zero
	// when the state has none).
	SchedulesValidUntil time.Time
}

// HorizonWarning is how close the end of a deployed stack's schedules may
// come before the drift check warns: a month's re-apply plus a freeze.
const HorizonWarning = 45 * 24 * time.Hour

// HorizonEndsSoon reports whether the deployed schedules end within
// HorizonWarning of now.
func (r DriftReport) HorizonEndsSoon(now time.Time) bool {
	return !r.SchedulesValidUntil.IsZero() && r.SchedulesValidUntil.Before(now.Add(HorizonWarning))
}

// Drifter previews a refresh of a prepared stack: what the cloud holds,
// compared with the state, nothing written; and reads the deployed
// schedules' horizon. Automation is the real one.
type Drifter interface {
	Drift(ctx context.Context, s *Stack) (DriftReport, error)
}

// DriftError is a refresh the engine could not run (no credentials, a
// provider error): drift unknown, which is not "no drift".
type DriftError struct {
	Stack string
	Err   error
}

func (e *DriftError) Error() string {
	return fmt.Sprintf("drift check of %s failed: %v", e.Stack, e.Err)
}

func (e *DriftError) Unwrap() error { return e.Err }

// Drift prepares stack as Up does and previews a refresh of it through d
// (nil means Automation{}). It reads only: there is no freeze check and no
// policy pack (a refresh runs no program), and nothing is recorded.
func Drift(ctx context.Context, p *project.Project, stack string, d Drifter) (DriftReport, error) {
	s, err := Prepare(ctx, p, stack)
	if err != nil {
		return DriftReport{}, err
	}
	s.PolicyPack = ""
	if d == nil {
		d = Automation{}
	}
	out, err := d.Drift(ctx, s)
	if err != nil {
		var noCLI *NoCLIError
		if errors.As(err, &noCLI) {
			return DriftReport{}, err
		}
		return DriftReport{}, &DriftError{Stack: stack, Err: err}
	}
	return out, nil
}

// Drift implements Drifter: `pulumi refresh --preview-only` through the
// Automation API, its engine events read for each resource's result.
func (a Automation) Drift(ctx context.Context, s *Stack) (DriftReport, error) {
	st, done, err := a.stack(ctx, s)
	if err != nil {
		return DriftReport{}, err
	}
	defer done()
	ch := make(chan events.EngineEvent)
	collected := make(chan []events.EngineEvent)
	go func() {
		var evs []events.EngineEvent
		for e := range ch {
			evs = append(evs, e)
		}
		collected <- evs
	}()
	opts := []optrefresh.Option{optrefresh.EventStreams(ch)}
	if s.Stdout != nil {
		opts = append(opts, optrefresh.ProgressStreams(s.Stdout))
	}
	if s.Stderr != nil {
		opts = append(opts, optrefresh.ErrorProgressStreams(s.Stderr))
	}
	_, err = st.PreviewRefresh(ctx, opts...)
	evs := <-collected
	if err != nil {
		return DriftReport{}, err
	}
	outs, err := st.Outputs(ctx)
	if err != nil {
		return DriftReport{}, fmt.Errorf("reading the stack's outputs: %w", err)
	}
	r := DriftReport{Drifted: DriftOf(evs)}
	if app, ok := outs["app"].Value.(map[string]any); ok {
		if raw, ok := app["schedulesValidUntil"].(string); ok && raw != "" {
			if r.SchedulesValidUntil, err = time.Parse(time.RFC3339, raw); err != nil {
				return DriftReport{}, fmt.Errorf("the stack's app.schedulesValidUntil output %q: %w", raw, err)
			}
		}
	}
	return r, nil
}

// DriftOf reads a refresh's engine events: every resource whose refresh
// result is an update or a delete, with the properties that differ.
func DriftOf(evs []events.EngineEvent) []Drifted {
	var out []Drifted
	for _, e := range evs {
		if e.ResOutputsEvent == nil {
			continue
		}
		m := e.ResOutputsEvent.Metadata
		if m.Op != apitype.OpUpdate && m.Op != apitype.OpDelete {
			continue
		}
		d := Drifted{URN: m.URN, Type: m.Type, Op: string(m.Op)}
		if m.Old != nil {
			d.Protected = m.Old.Protect
		}
		if m.Op == apitype.OpUpdate && m.Old != nil && m.New != nil {
			d.Properties = changedProperties(m.Old.Inputs, m.New.Inputs)
			if len(d.Properties) == 0 {
				d.Properties = changedProperties(m.Old.Outputs, m.New.Outputs)
			}
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

func changedProperties(old, cur map[string]any) []string {
	var out []string
	for k, v := range old {
		if w, ok := cur[k]; !ok || !reflect.DeepEqual(v, w) {
			out = append(out, k)
		}
	}
	for k := range cur {
		if _, ok := old[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
