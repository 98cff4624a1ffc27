package core

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AzureSubscriptionOf is "/subscriptions/ID" of an Azure resource id, ""
// when the id names no subscription.
func AzureSubscriptionOf(id string) string {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	if len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
		return "/subscriptions/" + parts[1]
	}
	return ""
}

// StableGUID is a GUID derived from s: Azure role assignment names must be
// GUIDs, and the same one on every run.
func StableGUID(s string) string {
	sum := sha256.Sum256([]byte(s))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// AzureRoleDefinition is the id of the built-in role in the subscription
// of scope (a resource id): what a role assignment at scope names.
func AzureRoleDefinition(scope pulumi.StringOutput, role string) pulumi.StringOutput {
	return scope.ApplyT(func(id string) string {
		return AzureSubscriptionOf(id) + "/providers/Microsoft.Authorization/roleDefinitions/" + role
	}).(pulumi.StringOutput)
}
