package release

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
)

var valid = Release{
	Application: "2026.11.3",
	Images: core.Images{
		AWS:   "ami-0a7e9c1b3d5f7a9c2",
		GCP:   "projects/wedsync-images/global/images/wedsync-app-2026-11-3",
		Azure: "/subscriptions/3f2b6c1e-8d4a-4f7b-9c2e-5a1d0b7e6f43/resourceGroups/wedsync-images/providers/Microsoft.Compute/galleries/wedsync/images/wedsync-app/versions/2026.11.3",
	},
	PostgresVersion: "16",
}

func TestAValidReleaseValidates(t *testing.T) {
	if err := valid.Validate(); err != nil {
		t.Fatal(err)
	}
	if valid.Images.For(core.GCP) != valid.Images.GCP || valid.Images.For("oracle") != "" {
		t.Error("Images.For picks the cloud's image")
	}
}

func TestValidateRejects(t *testing.T) {
	cases := map[string]struct {
		edit func(*Release)
		want string
	}{
		"application_not_a_version": {func(r *Release) { r.Application = "latest" }, `release.application = "latest"`},
		"no_images":                 {func(r *Release) { r.Images = core.Images{} }, "release.images: required"},
		"aws_not_an_ami":            {func(r *Release) { r.Images.AWS = "ubuntu-22.04" }, `release.images.aws = "ubuntu-22.04"`},
		"gcp_not_a_self_link":       {func(r *Release) { r.Images.GCP = "wedsync-app" }, "release.images.gcp"},
		"azure_not_a_resource_id":   {func(r *Release) { r.Images.Azure = "Canonical:ubuntu:22.04" }, "release.images.azure"},
		"postgres_unsupported":      {func(r *Release) { r.PostgresVersion = "9.6" }, `release.postgresVersion = "9.6"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := valid
			c.edit(&r)
			err := r.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestDecodeRejectsUnknownFields(t *testing.T) {
	_, err := Decode(`{"application":"2026.11.3","image":{"aws":"ami-0a7e9c1b3d5f7a9c2"},"postgresVersion":"16"}`)
	if err == nil || !strings.Contains(err.Error(), `unknown field "image"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeReportsEveryProblem(t *testing.T) {
	_, err := Decode(`{"application":"x","images":{"aws":"y"},"postgresVersion":"8"}`)
	if err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Fatalf("err = %v, want three problems", err)
	}
}

func TestCanonicalIgnoresHowTheBlockWasWritten(t *testing.T) {
	a := map[string]any{"application": "1", "images": map[string]any{"aws": "x", "gcp": "y"}}
	b := map[string]any{"images": map[string]any{"gcp": "y", "aws": "x"}, "application": "1"}
	if Canonical(a) != Canonical(b) {
		t.Errorf("%s != %s", Canonical(a), Canonical(b))
	}
}
