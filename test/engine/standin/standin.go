// Package standin is a TEST STAND-IN for the Pulumi resource providers aws,
// gcp and azure-native: one generic implementation of the provider gRPC
// protocol that lets the real Pulumi engine preview, deploy and destroy this
// repository's stacks with no cloud account and no real provider plugin.
// It never talks to a cloud. It is not a provider; nothing outside
// test/engine may use it.
//
// It accepts any resource of its package and answers the way the offline
// plan's mocks do (internal/plan: MockState, MockInvoke), so the real
// engine and the offline plan see the same ids, ARNs, self links and Azure
// resource ids for the same inputs:
//   - Check enforces the clouds' documented deploy-time limits
//     (internal/limits): a breach is a check failure, as a real provider
//     or cloud API would refuse it.
//   - Diff compares the old and new inputs as the engine does (unknowns are
//     changes, secrets compare by value); a change of a property the real
//     provider cannot update in place (internal/replacements) is a
//     replacement.
//   - Create and Update return a deterministic id and the inputs plus the
//     computed attributes; in a preview, a created resource's computed
//     attributes are unknown, as a real provider's are.
//   - Read returns the state it is given; Delete succeeds.
//   - Invoke answers the data sources the offline plan's mocks answer.
//
// With CloudEnv set to a directory, the stand-ins share a pretend cloud
// there: what one stack creates, another can import (a recovery stack
// adopting its source's replica buckets), with the inputs it was created
// with, so an import that would not match fails as a real one does.
package standin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/wedsync/wedsync-infra/internal/limits"
	"github.com/wedsync/wedsync-infra/internal/plan"
	"github.com/wedsync/wedsync-infra/internal/replacements"
)

// Package is one provider package the stand-in plays.
type Package struct {
	// Name is the package ("aws"), the first part of its type tokens.
	Name string
	// Version is the plugin version the program's SDK asks the engine for.
	Version string
}

// Packages are the packages the stand-in plays, by package name, at the
// versions the main module's SDKs ask for: pulumi-aws v6.83.4, pulumi-gcp
// v7.38.0, and azure-native v2.92.0 (the root module, whose explicit
// providers every Azure resource of the stacks uses). The engine test
// checks these against the SDK versions the program is built with.
var Packages = map[string]Package{
	"aws":          {Name: "aws", Version: "6.83.4"},
	"gcp":          {Name: "gcp", Version: "7.38.0"},
	"azure-native": {Name: "azure-native", Version: "2.92.0"},
}

// BuildMetadata marks the version the stand-in reports in GetPluginInfo,
// so `pulumi about` and plugin listings say it is not the real provider.
const BuildMetadata = "standin"

// PackageOfBinary is the package a stand-in binary plays, from its file
// name (pulumi-resource-<package>), as the engine names provider plugins.
func PackageOfBinary(file string) (Package, error) {
	name := strings.TrimSuffix(file, ".exe")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	pkg, ok := Packages[strings.TrimPrefix(name, "pulumi-resource-")]
	if !ok || !strings.HasPrefix(name, "pulumi-resource-") {
		known := make([]string, 0, len(Packages))
		for k := range Packages {
			known = append(known, "pulumi-resource-"+k)
		}
		sort.Strings(known)
		return Package{}, fmt.Errorf("stand-in binary named %q: name it one of %s", name, strings.Join(known, ", "))
	}
	return pkg, nil
}

// CloudEnv names the directory of the pretend cloud the stand-ins share.
const CloudEnv = "WEDSYNC_STANDIN_CLOUD"

// Provider is the stand-in provider server for one package.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer

	pkg Package
	// cloud is the pretend cloud's directory ("" for none).
	cloud string

	mu sync.Mutex
	// config is the provider's own inputs (region, project, ...), which
	// scope the ids it makes, as the explicit provider's inputs do in the
	// offline plan.
	config resource.PropertyMap
}

// New is a stand-in provider for pkg, keeping what it creates in the
// pretend cloud directory cloud ("" for none).
func New(pkg Package, cloud string) *Provider { return &Provider{pkg: pkg, cloud: cloud} }

var marshal = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, marshal)
}

func encode(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, marshal)
}

// GetPluginInfo reports the version the SDK asks for, marked as a stand-in.
func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.pkg.Version + "+" + BuildMetadata}, nil
}

// CheckConfig accepts any provider config.
func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// DiffConfig compares the provider's old and new config; a change updates
// the provider in place.
func (p *Provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news, err := diffInputs(req)
	if err != nil {
		return nil, err
	}
	changed := changedKeys(olds, news)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed}, nil
}

// Configure keeps the provider's inputs: they scope the ids it makes.
func (p *Provider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	config, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.config = config
	p.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, AcceptResources: true, SupportsPreview: true}, nil
}

func (p *Provider) providerInputs() resource.PropertyMap {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.config
}

// Check accepts a resource of the package whose inputs are within the
// clouds' documented deploy-time limits (internal/limits, the table the
// offline plan runs); each breach is a check failure naming the property,
// the limit and its documentation, which the engine shows and stops on.
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	typ := resource.URN(req.GetUrn()).Type()
	if typ.Package().String() != p.pkg.Name {
		return &pulumirpc.CheckResponse{Failures: []*pulumirpc.CheckFailure{{
			Reason: fmt.Sprintf("the %s stand-in provider does not serve %s", p.pkg.Name, typ),
		}}}, nil
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	for _, b := range limits.Check(typ.String(), plainOf(news), plainOf(p.providerInputs())) {
		failures = append(failures, &pulumirpc.CheckFailure{
			Property: b.Property,
			Reason:   fmt.Sprintf("%s: %s; the cloud accepts %s (%s)", b.Rule, b.Problem, b.Allowed, b.Doc),
		})
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// plainOf is m as plain values for the limits table, as the provider
// sees them: secrets by their value, unknowns as limits.Unknown.
func plainOf(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[string(k)] = plainValue(v)
	}
	return out
}

func plainValue(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return plainValue(v.SecretValue().Element)
	case v.IsComputed():
		return limits.Unknown
	case v.IsOutput():
		if o := v.OutputValue(); o.Known {
			return plainValue(o.Element)
		}
		return limits.Unknown
	case v.IsArray():
		out := make([]any, 0, len(v.ArrayValue()))
		for _, e := range v.ArrayValue() {
			out = append(out, plainValue(e))
		}
		return out
	case v.IsObject():
		return plainOf(v.ObjectValue())
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	}
	return v.V
}

// Diff compares the old inputs with the new. A change of a property the
// provider cannot update in place (internal/replacements: the providers'
// ForceNew and create-only properties, among them every name a resource is
// known by in the cloud; an unknown value there may change, so it
// replaces, as a real provider plans it) replaces the resource; any other
// change updates in place. A type the table does not know is an error
// naming it.
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news, err := diffInputs(req)
	if err != nil {
		return nil, err
	}
	changed := changedKeys(olds, news)
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	urn := resource.URN(req.GetUrn())
	replaces, known := replacements.Replaces(string(urn.Type()), changed)
	if !known {
		return nil, status.Errorf(codes.InvalidArgument, "stand-in provider: %s has no row in internal/replacements", urn.Type())
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces}, nil
}

// diffInputs are the old inputs (the engine sends them; older engines only
// the old state) and the new.
func diffInputs(req *pulumirpc.DiffRequest) (olds, news resource.PropertyMap, err error) {
	oldStruct := req.GetOldInputs()
	if oldStruct == nil {
		oldStruct = req.GetOlds()
	}
	if olds, err = unmarshal(oldStruct); err != nil {
		return nil, nil, err
	}
	if news, err = unmarshal(req.GetNews()); err != nil {
		return nil, nil, err
	}
	return olds, news, nil
}

// changedKeys are the top-level keys whose values differ, as the engine
// compares them: an unknown is a change; a secret compares by its value.
func changedKeys(olds, news resource.PropertyMap) []string {
	d := olds.DiffIncludeUnknowns(news)
	if d == nil {
		return nil
	}
	var keys []string
	for _, k := range d.ChangedKeys() {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return keys
}

// Create returns the mocks' id and state. In a preview the id and the
// computed attributes (what the state adds to the inputs) are unknown.
func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	urn := resource.URN(req.GetUrn())
	id, state := plan.MockState(string(urn.Type()), urn.Name(), inputs, p.providerInputs())
	if !req.GetPreview() {
		if err := p.nextVersion(urn, state); err != nil {
			return nil, err
		}
	}
	if req.GetPreview() {
		id = ""
		for k := range state {
			// What the provider adds is unknown until it creates the
			// resource: new attributes, and inputs it fills in (an Azure
			// system-assigned identity's principalId).
			if in, isInput := inputs[k]; !isInput || !in.DeepEquals(state[k]) {
				state[k] = resource.MakeComputed(resource.NewStringProperty(""))
			}
		}
	}
	props, err := encode(state)
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() {
		if err := p.save(urn, id, req.GetProperties(), props); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

// hostedVersion is AppConfig's hosted configuration version: it cannot
// change, so a new document replaces it.
const hostedVersion = "aws:appconfig/hostedConfigurationVersion:HostedConfigurationVersion"

// nextVersion numbers a hosted version one past the resource's last
// (kept in the pretend cloud beside its record), as AppConfig numbers a
// profile's versions: a replacement gets a new number, and the deployment
// naming it is replaced, as in the cloud. A first version is 1, as the
// offline plan's mocks number it.
func (p *Provider) nextVersion(urn resource.URN, state resource.PropertyMap) error {
	if p.cloud == "" || string(urn.Type()) != hostedVersion {
		return nil
	}
	n := p.lastVersion(urn) + 1
	state["versionNumber"] = resource.NewNumberProperty(float64(n))
	if err := os.MkdirAll(filepath.Dir(p.versionPath(urn)), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p.versionPath(urn), []byte(strconv.Itoa(n)), 0o644)
}

// forgetVersion drops the resource's last number when the version deleted
// is that one (a destroy), not an older one a replacement deletes.
func (p *Provider) forgetVersion(urn resource.URN, props *structpb.Struct) error {
	if p.cloud == "" || string(urn.Type()) != hostedVersion {
		return nil
	}
	if int(props.GetFields()["versionNumber"].GetNumberValue()) != p.lastVersion(urn) {
		return nil
	}
	if err := os.Remove(p.versionPath(urn)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// lastVersion is the last number given to urn's hosted version; 0 if none.
func (p *Provider) lastVersion(urn resource.URN) int {
	raw, err := os.ReadFile(p.versionPath(urn))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(string(raw))
	return n
}

func (p *Provider) versionPath(urn resource.URN) string {
	return strings.TrimSuffix(p.urnPath(urn), ".json") + ".version"
}

// Update returns the new inputs plus the computed attributes. In a preview
// an attribute stays known only while the new inputs derive the value it
// already has.
func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	urn := resource.URN(req.GetUrn())
	_, state := plan.MockState(string(urn.Type()), urn.Name(), news, p.providerInputs())
	if req.GetPreview() {
		for k, v := range state {
			if _, isInput := news[k]; isInput {
				continue
			}
			if old, ok := olds[k]; !ok || news.ContainsUnknowns() || !old.DeepEquals(v) {
				state[k] = resource.MakeComputed(resource.NewStringProperty(""))
			}
		}
	}
	props, err := encode(state)
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() {
		if err := p.save(urn, req.GetId(), req.GetNews(), props); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Read reads the resource from the pretend cloud. A refresh (given the
// state) reads the record of the resource itself (by URN: the offline
// plan's mock ids are not unique per type, where a cloud's are), changed
// behind the program's back or not; without one it gets the state it gave.
// An import (given only an id) reads by type and id; one that is not
// there is not found, as in a real cloud.
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	urn := resource.URN(req.GetUrn())
	refresh := len(req.GetProperties().GetFields()) > 0
	file := p.path(urn.Type().String(), req.GetId())
	if refresh {
		file = p.urnPath(urn)
	}
	r, err := p.load(file)
	if err != nil {
		return nil, err
	}
	if r == nil && refresh {
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
	}
	if r == nil {
		return &pulumirpc.ReadResponse{}, nil
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: r.Outputs, Inputs: r.Inputs}, nil
}

// Delete removes the resource from the pretend cloud.
func (p *Provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if p.cloud != "" {
		urn := resource.URN(req.GetUrn())
		if err := p.forgetVersion(urn, req.GetProperties()); err != nil {
			return nil, err
		}
		for _, file := range []string{p.path(urn.Type().String(), req.GetId()), p.urnPath(urn)} {
			if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	return &emptypb.Empty{}, nil
}

// Invoke answers a data source as the offline plan's mocks do; one they do
// not know is an error naming it.
func (p *Provider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	answer, err := plan.MockInvoke(req.GetTok(), args, p.providerInputs())
	if err != nil {
		return nil, status.Error(codes.NotFound, "stand-in provider: "+err.Error())
	}
	ret, err := encode(answer)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

// Cancel has nothing in flight to stop.
func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// cloudResource is a resource as the pretend cloud keeps it.
type cloudResource struct {
	Inputs, Outputs *structpb.Struct
}

// path is where the pretend cloud keeps the resource of type typ and id:
// one file per resource, so provider processes never share a file.
func (p *Provider) path(typ, id string) string {
	sum := sha256.Sum256([]byte(typ + "\x00" + id))
	return filepath.Join(p.cloud, p.pkg.Name, hex.EncodeToString(sum[:16])+".json")
}

// urnPath is where the pretend cloud keeps the same resource under its
// URN, which a refresh reads.
func (p *Provider) urnPath(urn resource.URN) string {
	sum := sha256.Sum256([]byte("urn\x00" + string(urn)))
	return filepath.Join(p.cloud, p.pkg.Name, "by-urn", hex.EncodeToString(sum[:16])+".json")
}

// save keeps the resource under its type and id (what an import finds) and
// under its URN (what a refresh reads).
func (p *Provider) save(urn resource.URN, id string, inputs, outputs *structpb.Struct) error {
	if p.cloud == "" || id == "" {
		return nil
	}
	fields := map[string]*structpb.Value{
		"type": structpb.NewStringValue(urn.Type().String()), "id": structpb.NewStringValue(id),
		"inputs": structpb.NewStructValue(inputs), "outputs": structpb.NewStructValue(outputs),
	}
	if err := p.write(p.path(urn.Type().String(), id), fields); err != nil {
		return err
	}
	fields["urn"] = structpb.NewStringValue(string(urn))
	return p.write(p.urnPath(urn), fields)
}

func (p *Provider) write(path string, fields map[string]*structpb.Value) error {
	doc, err := protojson.Marshal(&structpb.Struct{Fields: fields})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, doc, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// load reads a resource's record from the pretend cloud; nil if it is not
// there.
func (p *Provider) load(path string) (*cloudResource, error) {
	if p.cloud == "" {
		return nil, nil
	}
	doc, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s structpb.Struct
	if err := protojson.Unmarshal(doc, &s); err != nil {
		return nil, fmt.Errorf("pretend cloud %s: %w", path, err)
	}
	return &cloudResource{Inputs: s.Fields["inputs"].GetStructValue(), Outputs: s.Fields["outputs"].GetStructValue()}, nil
}
