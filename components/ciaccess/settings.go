package ciaccess

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/wedsync/wedsync-infra/components/core"
)

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

// Validate returns every problem with s for env at once. cloud (the
// primary's) adds nothing yet: every cloud's identities trust the same
// GitHub subjects, and the AWS provider ARN's form is checked whichever
// site it serves.
func (s Settings) Validate(env core.Environment, _ core.Cloud) error {
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

// DriftEnvironment is the GitHub environment of the scheduled read-only
// jobs (.github/workflows/drift.yml): a scheduled job's token names no pull
// request, so the preview identity trusts this environment's subject too.
const DriftEnvironment = "drift"

// PreviewSubjects are the exact `sub` claims the read-only preview identity
// trusts: the repository's pull requests and its scheduled drift check.
func (s Settings) PreviewSubjects() []string {
	return []string{s.PreviewSubject(), fmt.Sprintf("repo:%s:environment:%s", s.Repository, DriftEnvironment)}
}

// DrillSubject is the exact `sub` claim of the restore drill job
// (.github/workflows/backup-drill.yml runs in the GitHub environment drill).
func (s Settings) DrillSubject() string {
	return fmt.Sprintf("repo:%s:environment:%s", s.Repository, DrillEnvironment)
}

// SealSubject is the exact `sub` claim of the manifest writer's job
// (.github/workflows/backup-seal.yml runs in the GitHub environment seal).
func (s Settings) SealSubject() string {
	return fmt.Sprintf("repo:%s:environment:%s", s.Repository, SealEnvironment)
}

// DeployRef is the git ref a deploy job runs on: GCP checks it beside the
// subject, so an environment's deploy also comes only from the branch.
func (s Settings) DeployRef() string { return "refs/heads/" + s.Branch }
