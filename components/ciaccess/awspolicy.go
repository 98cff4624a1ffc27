package ciaccess

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// awsPolicyLimit is the size IAM allows a managed policy, whitespace not
// counted (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
const awsPolicyLimit = 6144

// awsScope is where the deploy identity acts: the stack's name prefix, the
// CI identities' own name prefix and the stack's regions.
type awsScope struct {
	prefix, ci string
	regions    []string
	// secrets is the alias of the stack's secrets-provider key
	// (bootstrap/, the stack file's secretsprovider); empty when that key
	// is not on AWS.
	secrets string
}

// stackSecrets lets a CI identity use the stack's own secrets-provider key,
// and no other key: the Pulumi CLI encrypts and decrypts the stack's config
// secrets with it (kms:ResourceAliases,
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases).
// encrypt adds kms:Encrypt (a new data key: statekey.go); reading the
// stack needs kms:Decrypt only.
func (s awsScope) stackSecrets(encrypt bool) awsDocument {
	return awsDocument{Version: "2012-10-17", Statement: []awsStatement{{
		Sid: "StackSecrets", Effect: "Allow", Action: AWSStateKeyActions[encrypt], Resource: "arn:aws:kms:*:*:key/*",
		Condition: map[string]any{"ForAnyValue:StringEquals": map[string]any{"kms:ResourceAliases": []string{s.secrets}}},
	}}}
}

type awsStatement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Action    []string       `json:"Action,omitempty"`
	NotAction []string       `json:"NotAction,omitempty"`
	Resource  any            `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

type awsDocument struct {
	Version   string         `json:"Version"`
	Statement []awsStatement `json:"Statement"`
}

func (d awsDocument) String() string {
	out, _ := json.Marshal(d) // strings, slices and maps of them: cannot fail
	return string(out)
}

// rows are the table rows of types (those without a row are left out:
// Uncovered names them, and the plan tests fail on them).
func awsRows(types []string) []awsRow {
	var rows []awsRow
	for _, t := range types {
		if row, ok := awsTable[t]; ok {
			rows = append(rows, row)
		}
		if slices.Contains(awsServiceGrants.Types, t) {
			rows = append(rows, awsServiceGrants.Row)
		}
	}
	return rows
}

// statements merge the rows that share resources and conditions into one
// statement each, actions sorted and unique, in a stable order.
func (s awsScope) statements(rows []awsRow) []awsStatement {
	byKey := map[string]*awsStatement{}
	for _, row := range rows {
		st := s.statement(row)
		key := fmt.Sprint(st.Resource, st.Condition)
		if have, ok := byKey[key]; ok {
			have.Action = append(have.Action, st.Action...)
			continue
		}
		byKey[key] = &st
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]awsStatement, 0, len(keys))
	for _, k := range keys {
		st := byKey[k]
		slices.Sort(st.Action)
		st.Action = slices.Compact(st.Action)
		out = append(out, *st)
	}
	return out
}

func (s awsScope) statement(row awsRow) awsStatement {
	st := awsStatement{Effect: "Allow", Action: slices.Clone(row.Actions), Resource: "*"}
	if len(row.ARNs) > 0 {
		st.Resource = s.arns(row.ARNs)
	}
	cond := map[string]any{}
	for k, v := range row.Condition {
		cond[k] = v
	}
	if !row.Global {
		cond["StringEquals"] = map[string]any{"aws:RequestedRegion": s.regions}
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	return st
}

func (s awsScope) arns(templates []string) []string {
	var out []string
	for _, t := range templates {
		t = strings.NewReplacer("{prefix}", s.prefix, "{ci}", s.ci).Replace(t)
		if !strings.Contains(t, "{region}") {
			out = append(out, t)
			continue
		}
		for _, r := range s.regions {
			out = append(out, strings.ReplaceAll(t, "{region}", r))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// documents packs statements into as few policy documents as fit IAM's
// size limit, splitting a statement's actions where one alone is too big.
func documents(statements []awsStatement) []awsDocument {
	var docs []awsDocument
	cur := awsDocument{Version: "2012-10-17"}
	for _, st := range splitStatements(statements) {
		next := cur
		next.Statement = append(slices.Clone(cur.Statement), st)
		if len(next.String()) > awsPolicyLimit && len(cur.Statement) > 0 {
			docs = append(docs, cur)
			next = awsDocument{Version: "2012-10-17", Statement: []awsStatement{st}}
		}
		cur = next
	}
	if len(cur.Statement) > 0 {
		docs = append(docs, cur)
	}
	return docs
}

// splitStatements halves any statement that alone would not fit a
// document.
func splitStatements(statements []awsStatement) []awsStatement {
	var out []awsStatement
	for _, st := range statements {
		doc := awsDocument{Version: "2012-10-17", Statement: []awsStatement{st}}
		if len(doc.String()) <= awsPolicyLimit || len(st.Action) < 2 {
			out = append(out, st)
			continue
		}
		half := len(st.Action) / 2
		a, b := st, st
		a.Action, b.Action = st.Action[:half], st.Action[half:]
		out = append(out, splitStatements([]awsStatement{a, b})...)
	}
	return out
}

// guards are the deploy identity's explicit denies, in its own inline
// policy and in its permissions boundary: no change to the CI roles, their
// policies or the account's OIDC providers; no reading of objects, secret
// values or database sign-in; no direct use of any key (a key policy the
// deploy role writes cannot give it the data: an explicit deny wins,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
// (the one key it uses directly is the stack's own secrets-provider key,
// stackSecrets); no assuming another role (a trust policy it writes cannot make it one of
// the stack's roles); no attaching the broad AWS managed policies.
func (s awsScope) guards() []awsStatement {
	var data, keys []string
	for _, a := range AWSDataReads {
		if strings.HasPrefix(a, "kms:") {
			keys = append(keys, a)
		} else {
			data = append(data, a)
		}
	}
	return []awsStatement{
		{Sid: "NotCIItself", Effect: "Deny", NotAction: []string{"iam:Get*", "iam:List*"}, Resource: []string{
			"arn:aws:iam::*:role/" + s.ci + "-*", "arn:aws:iam::*:policy/" + s.ci + "-*", "arn:aws:iam::*:oidc-provider/*"}},
		{Sid: "NoData", Effect: "Deny", Action: data, Resource: "*"},
		{Sid: "NoDirectKeyUse", Effect: "Deny", Action: keys, Resource: "*", Condition: s.directKeyUse()},
		{Sid: "NoOtherRoles", Effect: "Deny", Action: []string{"sts:AssumeRole"}, Resource: "*"},
		{Sid: "NoBroadPolicies", Effect: "Deny", Action: []string{"iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"}, Resource: "*",
			Condition: map[string]any{"ArnLike": map[string]any{"iam:PolicyARN": []string{
				"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/IAMFullAccess"}}}},
	}
}

// directKeyUse is when NoDirectKeyUse denies: a key used directly (not
// through a service), unless it is the stack's own secrets-provider key
// (when that is on AWS).
func (s awsScope) directKeyUse() map[string]any {
	cond := map[string]any{"Null": map[string]any{"kms:ViaService": "true"}}
	if s.secrets != "" {
		cond["ForAllValues:StringNotEquals"] = map[string]any{"kms:ResourceAliases": []string{s.secrets}}
	}
	return cond
}

// boundary is the deploy role's permissions boundary: the services its
// grants name, and the guards. A boundary grants nothing; it is the
// ceiling no policy attached later (by mistake or by CI) can raise.
func (s awsScope) boundary(grants []awsDocument) awsDocument {
	var services []string
	for _, d := range grants {
		for _, st := range d.Statement {
			for _, a := range st.Action {
				services = append(services, strings.SplitN(a, ":", 2)[0]+":*")
			}
		}
	}
	slices.Sort(services)
	services = slices.Compact(services)
	allow := awsStatement{Sid: "Ceiling", Effect: "Allow", Action: services, Resource: "*"}
	return awsDocument{Version: "2012-10-17", Statement: append([]awsStatement{allow}, s.guards()...)}
}
