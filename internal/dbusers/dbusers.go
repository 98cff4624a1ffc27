// Package dbusers creates the application's database users after a deploy,
// where the cloud's API cannot: the AWS writer RDS Proxy signs in as and
// the AWS read replicas' IAM user, the Azure managed identity's Microsoft
// Entra principal. On GCP the stack creates the IAM users
// (components/database/gcp.go) and this only grants them. Every user gets
// the least the application needs, and nothing broader: CONNECT on the
// app database, USAGE on its schema, DML (readers: SELECT) on its tables
// and sequences now and, through the migrations' role's default
// privileges, on those the migrations create later. The migrations' role
// is the schema's owner (on AWS the master user, who runs this; on GCP and
// Azure this runs as its own CI identity, a member of it); the users
// never get CREATE, TRUNCATE, REFERENCES, TRIGGER, SUPERUSER, CREATEROLE
// or CREATEDB, and a user that holds any of them is reported.
//
// The SQL is in sql.go, with the documents it follows.
package dbusers

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// User is one application user the stack names (its database.appUsers
// output).
type User struct {
	Name   string `json:"name"`
	Access Access `json:"access"`
	SignIn SignIn `json:"signIn"`
	// ObjectID (Entra) is the managed identity's principal id.
	ObjectID string `json:"objectId,omitempty"`
}

// Plan is what the stack asks for: its database and its users.
type Plan struct {
	Stack    string `json:"stack"`
	Cloud    string `json:"cloud"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Database string `json:"database"`
	Users    []User `json:"users"`
}

// FromOutputs reads the plan from a stack's outputs ('pulumi stack output
// --json'): database.endpoint, port, name and appUsers.
func FromOutputs(stack string, outputs map[string]any) (Plan, error) {
	db, ok := outputs["database"].(map[string]any)
	if !ok {
		return Plan{}, errors.New("the stack has no database output: run up first")
	}
	p := Plan{Stack: stack}
	p.Cloud, _ = outputs["cloud"].(string)
	p.Host, _ = db["endpoint"].(string)
	p.Database, _ = db["name"].(string)
	switch port := db["port"].(type) {
	case float64:
		p.Port = int(port)
	case int:
		p.Port = port
	}
	raw, ok := db["appUsers"]
	if !ok || raw == nil {
		return Plan{}, errors.New("the database output has no appUsers: the stack predates them, run up with this version first")
	}
	// Through JSON: 'pulumi stack output' gives []any, the offline plan
	// typed slices.
	data, err := json.Marshal(raw)
	if err == nil {
		err = json.Unmarshal(data, &p.Users)
	}
	if err != nil {
		return Plan{}, fmt.Errorf("database.appUsers: %w", err)
	}
	for i, u := range p.Users {
		if u.Name == "" {
			return Plan{}, fmt.Errorf("database.appUsers[%d] has no name", i)
		}
	}
	return p, p.Validate()
}

// Validate returns every problem with the plan.
func (p Plan) Validate() error {
	var problems []error
	if p.Database == "" {
		problems = append(problems, errors.New("database.name is empty"))
	}
	for i, u := range p.Users {
		field := fmt.Sprintf("database.appUsers[%d] (%s)", i, u.Name)
		if _, ok := tablePrivileges[u.Access]; !ok {
			problems = append(problems, fmt.Errorf("%s: access %q: use %s or %s", field, u.Access, ReadWrite, Read))
		}
		if !slices.Contains(SignIns, u.SignIn) {
			problems = append(problems, fmt.Errorf("%s: signIn %q: use one of %v", field, u.SignIn, SignIns))
		}
		if u.SignIn == Entra && u.ObjectID == "" {
			problems = append(problems, fmt.Errorf("%s: an Entra principal needs its objectId", field))
		}
	}
	return errors.Join(problems...)
}

// Status is what happened to a user.
type Status string

const (
	Created Status = "created"
	Present Status = "already present"
	// Missing: a user the stack creates (GCP) is not there.
	Missing Status = "missing"
	Failed  Status = "failed"
)

// Result is one user's outcome.
type Result struct {
	User
	Status Status `json:"status"`
	// Applied are the steps this run did (would do, in a dry run).
	Applied []string `json:"applied,omitempty"`
	// Problems are what is wrong: a failed step, or what the user holds
	// beyond its access.
	Problems []string `json:"problems,omitempty"`
	// PasswordSet (the Password user): its password is now RDS Proxy's,
	// set on every run; not a change Applied counts.
	PasswordSet bool `json:"passwordSet,omitempty"`
}

// Report is a run's outcome.
type Report struct {
	Stack    string   `json:"stack"`
	Database string   `json:"database"`
	DryRun   bool     `json:"dryRun"`
	Users    []Result `json:"users"`

	// MigrationsRole is the role whose default privileges give the users
	// the tables the migrations create later: the schema's owner.
	MigrationsRole string `json:"migrationsRole,omitempty"`
	// Problems are the run's, before any user (NotMigrationsRoleMember).
	Problems []string `json:"problems,omitempty"`
}

// OK reports whether every user is there with exactly its access.
func (r Report) OK() bool {
	if len(r.Problems) > 0 {
		return false
	}
	for _, u := range r.Users {
		if u.Status == Failed || u.Status == Missing || len(u.Problems) > 0 {
			return false
		}
	}
	return true
}

// Changed reports whether the run changed (or would change) anything.
func (r Report) Changed() bool {
	for _, u := range r.Users {
		if len(u.Applied) > 0 {
			return true
		}
	}
	return false
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
