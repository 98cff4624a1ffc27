package rules

import (
	"slices"
	"testing"
)

// Stack policies judge with what the resource policies were handed: every
// exemption given to any of them, the longest retention given, the
// regions when all agree; with nothing given, the stack's own config.
func TestForStackPolicies(t *testing.T) {
	stack := Config{MinRetentionDays: 35, AllowedRegions: []string{"eu-west-2"},
		Exemptions: []Exemption{{URN: "a", Policy: "p", Reason: "r"}}}
	if got := stack.ForStackPolicies(); !slices.Equal(got.Exemptions, stack.Exemptions) || got.MinRetentionDays != 35 {
		t.Errorf("nothing given: %+v, want the stack's", got)
	}
	fromFile := Exemption{URN: "web-logs", Policy: PolicyS3Encryption, Reason: "ALB logs"}
	one := stack
	one.Exemptions = []Exemption{fromFile}
	one.MinRetentionDays = 30
	other := stack
	other.MinRetentionDays = 40
	other.AllowedRegions = []string{"eu-west-1"}
	got := stack.ForStackPolicies(one, other)
	if !slices.Contains(got.Exemptions, fromFile) || !slices.Contains(got.Exemptions, stack.Exemptions[0]) || len(got.Exemptions) != 2 {
		t.Errorf("exemptions %v: want the file's and the stack's, once each", got.Exemptions)
	}
	if got.MinRetentionDays != 40 {
		t.Errorf("minRetentionDays %d, want the longest given, 40", got.MinRetentionDays)
	}
	if !slices.Equal(got.AllowedRegions, stack.AllowedRegions) {
		t.Errorf("regions %v: the entries disagree, want the stack's", got.AllowedRegions)
	}
	// The broken variant: the stack's own config alone misses the file's
	// exemption.
	if stack.Exempt(PolicyS3Encryption, "web-logs") || !got.Exempt(PolicyS3Encryption, "web-logs") {
		t.Errorf("the file's exemption: stack alone %v, given %v", stack.Exempt(PolicyS3Encryption, "web-logs"), got.Exempt(PolicyS3Encryption, "web-logs"))
	}
}
