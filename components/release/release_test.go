package release

import (
	"strings"
	"testing"

	"github.com/wedsync/wedsync-infra/components/core"
)

// valid is a release naming an image in a primary and a DR region of each
// cloud; a fresh copy each call, so a case may change it.
func valid() Release {
	azure := "/subscriptions/3f2b6c1e-8d4a-4f7b-9c2e-5a1d0b7e6f43/resourceGroups/wedsync-images/providers/Microsoft.Compute/galleries/wedsync/images/wedsync-app/versions/2026.11.3"
	gcp := "projects/wedsync-images/global/images/wedsync-app-2026-11-3"
	return Release{
		Application: "2026.11.3",
		Images: core.Images{
			AWS:   core.RegionImages{"eu-west-2": "ami-0a7e9c1b3d5f7a9c2", "eu-west-1": "ami-0b8f0d2c4e6a8b0d3"},
			GCP:   core.RegionImages{"europe-west2": gcp, "europe-west1": gcp},
			Azure: core.RegionImages{"uksouth": azure, "ukwest": azure},
		},
		PostgresVersion: "16",
	}
}

func TestAValidReleaseValidates(t *testing.T) {
	r := valid()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.Images.For(core.AWS, "eu-west-1") != "ami-0b8f0d2c4e6a8b0d3" || r.Images.For(core.AWS, "us-east-1") != "" || r.Images.For("oracle", "eu-west-1") != "" {
		t.Error("Images.For picks the cloud's image in the region, and none where there is none")
	}
}

func TestValidateRejects(t *testing.T) {
	cases := map[string]struct {
		edit func(*Release)
		want string
	}{
		"application_not_a_version": {func(r *Release) { r.Application = "latest" }, `release.application = "latest"`},
		"no_images":                 {func(r *Release) { r.Images = core.Images{} }, "release.images: required"},
		"aws_not_an_ami":            {func(r *Release) { r.Images.AWS["eu-west-1"] = "ubuntu-22.04" }, `release.images.aws.eu-west-1 = "ubuntu-22.04"`},
		"aws_region_not_a_region":   {func(r *Release) { r.Images.AWS["eu-west-9"] = "ami-0a7e9c1b3d5f7a9c2" }, `release.images.aws.eu-west-9 = "ami-0a7e9c1b3d5f7a9c2": eu-west-9 is not a region of AWS`},
		"gcp_not_a_self_link":       {func(r *Release) { r.Images.GCP["europe-west1"] = "wedsync-app" }, "release.images.gcp.europe-west1"},
		"azure_not_a_resource_id":   {func(r *Release) { r.Images.Azure["ukwest"] = "Canonical:ubuntu:22.04" }, "release.images.azure.ukwest"},
		"postgres_unsupported":      {func(r *Release) { r.PostgresVersion = "9.6" }, `release.postgresVersion = "9.6"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := valid()
			c.edit(&r)
			err := r.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestDecodeRejectsUnknownFields(t *testing.T) {
	_, err := Decode(`{"application":"2026.11.3","image":{"aws":{"eu-west-2":"ami-0a7e9c1b3d5f7a9c2"}},"postgresVersion":"16"}`)
	if err == nil || !strings.Contains(err.Error(), `unknown field "image"`) {
		t.Fatalf("err = %v", err)
	}
	_, err = Decode(`{"application":"2026.11.3","images":{"oracle":{"eu-west-2":"ami-0a7e9c1b3d5f7a9c2"}},"postgresVersion":"16"}`)
	if err == nil || !strings.Contains(err.Error(), `unknown field "oracle"`) {
		t.Fatalf("err = %v", err)
	}
}

// The old form, one image per cloud, would boot a DR region from the
// primary region's AMI: refused, saying how to write it per region.
func TestDecodeRefusesTheSingleImageForm(t *testing.T) {
	_, err := Decode(`{"application":"2026.11.3","images":{"aws":"ami-0a7e9c1b3d5f7a9c2"},"postgresVersion":"16"}`)
	if err == nil || !strings.Contains(err.Error(), `"ami-0a7e9c1b3d5f7a9c2" is a single image, and images are per region now`) ||
		!strings.Contains(err.Error(), `{<region>: "ami-0a7e9c1b3d5f7a9c2"}`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Decode(`{"application":"2026.11.3","images":{"aws":{"eu-west-2":"ami-0a7e9c1b3d5f7a9c2"}},"postgresVersion":"16"}`); err != nil {
		t.Fatalf("the per-region form: %v", err)
	}
}

func TestDecodeReportsEveryProblem(t *testing.T) {
	_, err := Decode(`{"application":"x","images":{"aws":{"eu-west-2":"y"}},"postgresVersion":"8"}`)
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
