package deploy

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func outputsEvent(op apitype.OpType, urn string, protect bool, oldIn, newIn, oldOut, newOut map[string]any) events.EngineEvent {
	return events.EngineEvent{EngineEvent: apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{
		Op: op, URN: urn, Type: "aws:s3/bucketV2:BucketV2",
		Old: &apitype.StepEventStateMetadata{Protect: protect, Inputs: oldIn, Outputs: oldOut},
		New: &apitype.StepEventStateMetadata{Inputs: newIn, Outputs: newOut},
	}}}}
}

func TestDriftOfARefresh(t *testing.T) {
	tags := map[string]any{"tags": map[string]any{"owner": "platform"}, "bucket": "b"}
	changed := map[string]any{"tags": map[string]any{"owner": "console"}, "bucket": "b"}
	evs := []events.EngineEvent{
		outputsEvent(apitype.OpSame, "urn:same", false, tags, tags, nil, nil),
		outputsEvent(apitype.OpUpdate, "urn:b-tags", true, tags, changed, nil, nil),
		// Only an output differs (the provider's own attribute).
		outputsEvent(apitype.OpUpdate, "urn:a-arn", false, tags, tags, map[string]any{"arn": "x"}, map[string]any{"arn": "y"}),
		outputsEvent(apitype.OpDelete, "urn:c-gone", false, tags, nil, nil, nil),
	}
	got := DriftOf(evs)
	want := []Drifted{
		{URN: "urn:a-arn", Type: "aws:s3/bucketV2:BucketV2", Op: "update", Properties: []string{"arn"}},
		{URN: "urn:b-tags", Type: "aws:s3/bucketV2:BucketV2", Op: "update", Properties: []string{"tags"}, Protected: true},
		{URN: "urn:c-gone", Type: "aws:s3/bucketV2:BucketV2", Op: "delete"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if d := DriftOf(evs[:1]); len(d) != 0 {
		t.Errorf("a refresh with nothing changed reports %+v", d)
	}
}
