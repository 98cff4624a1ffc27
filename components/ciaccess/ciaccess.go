// Package ciaccess creates the identities CI assumes to deploy a stack,
// through OIDC federation with GitHub Actions: no stored keys. On each cloud
// the stack has a site on, a deploy identity trusted only by the stack's
// deploy workflow (prod: the GitHub environment `prod`, with its required
// reviewers; dev: the branch `main`), and a read-only preview identity
// trusted only by this repository's pull requests.
//
// Trust is by exact subject (`repo:OWNER/NAME:environment:prod`), never a
// wildcard, so a fork, another repository, another branch or another
// environment cannot assume a deploy identity.
//
// What CI can do to its own trust, per cloud: on AWS nothing (an explicit
// deny on the CI roles and OIDC providers); on GCP it cannot touch the pool
// or its provider's condition (no workload identity administration), which
// refuses every token but this repository's deploy job and pull requests;
// on Azure, Contributor at the subscription can edit federated credentials
// too: changes to these identities are applied by an administrator's
// `wedsync-infra up` and reviewed like any change, and a stricter setup
// keeps them in a subscription CI does not deploy to.
package ciaccess

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/wedsync/wedsync-infra/components/core"
)

// Type is the component's type token.
const Type = "wedsync:ci:Access"

// Issuer is GitHub Actions' OIDC token issuer.
const Issuer = "https://token.actions.githubusercontent.com"

// Settings are CI's identities' knobs, under `wedsync:ci` in stack config.
type Settings struct {
	// Repository is the GitHub repository whose workflows deploy, "OWNER/NAME".
	Repository string `json:"repository"`
	// Branch is the branch a stack without a GitHub environment deploys
	// from (dev, on every merge). Default "main".
	Branch string `json:"branch,omitempty"`
	// Environment is the GitHub environment deploy jobs run in, with its
	// required reviewers and its deployment branches (set to main). Default
	// "prod" in prod (required there), "staging" in staging, none in dev.
	// With an environment, GitHub's token subject names the environment
	// instead of the branch.
	Environment string `json:"environment,omitempty"`
	// Preview makes the read-only identity pull requests preview with.
	// Default on.
	Preview *bool `json:"preview,omitempty"`
	// AWSOIDCProviderARN names the account's existing IAM OIDC provider
	// for token.actions.githubusercontent.com (an account has at most one;
	// stacks sharing an account share it). Empty creates it.
	AWSOIDCProviderARN string `json:"awsOidcProviderArn,omitempty"`
}

// ApplyDefaults fills unset settings for env.
func (s *Settings) ApplyDefaults(env core.Environment) {
	if s.Branch == "" {
		s.Branch = "main"
	}
	if s.Environment == "" {
		switch env {
		case core.Prod:
			s.Environment = "prod"
		case core.Staging:
			s.Environment = "staging"
		}
	}
	if s.Preview == nil {
		on := true
		s.Preview = &on
	}
}

var (
	repository = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$`)
	// Branch and environment names as GitHub allows them, minus anything
	// a trust condition could read as a pattern.
	plainName   = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,255}$`)
	oidcProvARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)
)

// Validate returns every problem with s for env at once.
func (s Settings) Validate(env core.Environment) error {
	p := &core.Problems{}
	switch {
	case s.Repository == "":
		p.Missing("repository", `the GitHub repository whose workflows deploy, e.g. "wedsync/wedsync-infra"`)
	case !repository.MatchString(s.Repository):
		p.Add("repository", s.Repository, `use "OWNER/NAME" exactly (no wildcards), e.g. "wedsync/wedsync-infra"`)
	}
	if !plainName.MatchString(s.Branch) || strings.HasPrefix(s.Branch, "refs/") || strings.Contains(s.Branch, "..") {
		p.Add("branch", s.Branch, `use one branch name without wildcards or "refs/heads/", e.g. "main"`)
	}
	if s.Environment != "" && (!plainName.MatchString(s.Environment) || strings.Contains(s.Environment, "/")) {
		p.Add("environment", s.Environment, "use one GitHub environment name without wildcards, e.g. prod")
	}
	switch {
	case env.IsProd() && s.Environment == "":
		p.Missing("environment", "prod deploys only from a GitHub environment with required reviewers, e.g. prod")
	case !env.IsProd() && s.Environment == "prod":
		p.Add("environment", s.Environment, "is prod's GitHub environment; a %s stack deploys from its own (e.g. %s) or from the branch", env, env)
	}
	if s.AWSOIDCProviderARN != "" && !oidcProvARN.MatchString(s.AWSOIDCProviderARN) {
		p.Add("awsOidcProviderArn", s.AWSOIDCProviderARN, "use the ARN of the account's OIDC provider for GitHub, arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com")
	}
	return p.Err()
}

// DeploySubject is the exact `sub` claim of the workflow jobs that may
// deploy: the GitHub environment's when there is one, else the branch's.
func (s Settings) DeploySubject() string {
	if s.Environment != "" {
		return fmt.Sprintf("repo:%s:environment:%s", s.Repository, s.Environment)
	}
	return fmt.Sprintf("repo:%s:ref:refs/heads/%s", s.Repository, s.Branch)
}

// PreviewSubject is the exact `sub` claim of the repository's pull request
// jobs (forks' pull requests get no token).
func (s Settings) PreviewSubject() string {
	return fmt.Sprintf("repo:%s:pull_request", s.Repository)
}

// DeployRef is the git ref a deploy job runs on: GCP checks it beside the
// subject, so an environment's deploy also comes only from the branch.
func (s Settings) DeployRef() string { return "refs/heads/" + s.Branch }

// AccessArgs are the inputs of NewAccess.
type AccessArgs struct {
	Deployment core.Deployment
	Settings   Settings
}

// Identity is what a workflow needs to sign in to one cloud.
type Identity struct {
	// Deploy is the deploy identity: an AWS role ARN, a GCP service account
	// email, an Azure client id.
	Deploy pulumi.StringOutput
	// Preview is the read-only preview identity, in the same form (empty
	// when previews have none).
	Preview pulumi.StringOutput
	// Federation is what the sign-in action needs beside the identity: the
	// AWS OIDC provider's ARN, the GCP workload identity provider's full
	// name, the Azure tenant id.
	Federation pulumi.StringOutput
}

// Access is CI's identities on every cloud the stack has a site on.
type Access struct {
	pulumi.ResourceState

	// Identities are per cloud.
	Identities map[core.Cloud]Identity
}

// NewAccess creates CI's identities for the stack, on each cloud it has a
// site on (with the first such site's provider).
func NewAccess(ctx *pulumi.Context, name string, args *AccessArgs, opts ...pulumi.ResourceOption) (*Access, error) {
	if args == nil {
		return nil, fmt.Errorf("ciaccess %s: args are required", name)
	}
	s := args.Settings
	s.ApplyDefaults(args.Deployment.Environment)
	if err := s.Validate(args.Deployment.Environment); err != nil {
		return nil, fmt.Errorf("ciaccess %s: %w", name, err)
	}
	c := &Access{Identities: map[core.Cloud]Identity{}}
	if err := ctx.RegisterComponentResource(Type, name, c, opts...); err != nil {
		return nil, err
	}
	outputs := pulumi.Map{}
	for _, site := range sitesByCloud(args.Deployment) {
		b := builder{ctx: ctx, parent: c, name: name + "-" + string(site.Cloud), dep: args.Deployment, site: site, s: s}
		var id Identity
		var err error
		switch site.Cloud {
		case core.AWS:
			id, err = b.aws()
		case core.GCP:
			id, err = b.gcp()
		case core.Azure:
			id, err = b.azure()
		default:
			err = fmt.Errorf("cloud %q", site.Cloud)
		}
		if err != nil {
			return nil, fmt.Errorf("ciaccess %s on %s: %w", name, site.Cloud.Title(), err)
		}
		c.Identities[site.Cloud] = id
		outputs[string(site.Cloud)] = pulumi.Map{"deploy": id.Deploy, "preview": id.Preview, "federation": id.Federation}
	}
	if err := ctx.RegisterResourceOutputs(c, outputs); err != nil {
		return nil, err
	}
	return c, nil
}

// sitesByCloud is the first site of each cloud, primary first.
func sitesByCloud(dep core.Deployment) []core.Site {
	var out []core.Site
	seen := map[core.Cloud]bool{}
	for _, s := range []*core.Site{&dep.Primary, dep.DR, dep.Offsite} {
		if s == nil || s.Cloud == "" || seen[s.Cloud] {
			continue
		}
		seen[s.Cloud] = true
		out = append(out, *s)
	}
	return out
}

// builder makes one cloud's identities.
type builder struct {
	ctx    *pulumi.Context
	parent *Access
	name   string
	dep    core.Deployment
	site   core.Site
	s      Settings
}

func (b builder) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return b.site.With(append([]pulumi.ResourceOption{pulumi.Parent(b.parent)}, extra...)...)
}

func (b builder) preview() bool { return b.s.Preview != nil && *b.s.Preview }

// empty is the output of an identity that is not made.
func empty() pulumi.StringOutput { return pulumi.String("").ToStringOutput() }
