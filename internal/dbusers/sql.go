package dbusers

import "github.com/wedsync/wedsync-infra/components/database"

// The SQL, per cloud and per kind of user, in one place. Every statement
// is run by an administrator of the database (see the package comment);
// every step first asks the catalog whether it is already done, so a
// second run changes nothing. Names are quoted with quoteIdent and
// literals with quoteLiteral: utility statements take no parameters.

// SignIn is how an application user signs in (components/database).
type SignIn = database.SignIn

// How each kind of user is created:
const (
	// Password (AWS writer): RDS Proxy signs in to the instance with the
	// user's password from the proxy's secret; the application presents IAM
	// tokens to the proxy only (components/database/pooler.go). No rds_iam:
	// a member of rds_iam can no longer sign in with a password.
	// docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-secrets-arns.html
	Password = database.SignInPassword
	// RDSIAM (AWS readers): the application signs in to the read replicas
	// directly with IAM tokens, which RDS accepts for members of rds_iam.
	// The user is created on the primary and replicates.
	// docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html
	RDSIAM = database.SignInRDSIAM
	// CloudSQLIAM (GCP): the stack creates the IAM database user
	// (gcp:sql/user, components/database/gcp.go); here it only gets its
	// grants. An IAM user starts with no privileges.
	// cloud.google.com/sql/docs/postgres/add-manage-iam-users
	CloudSQLIAM = database.SignInCloudSQLIAM
	// Entra (Azure): the application's managed identity as a non-admin
	// Microsoft Entra principal. ARM can only create Entra administrators,
	// so an Entra administrator creates it in SQL with
	// pgaadauth_create_principal_with_oid(roleName, objectId, objectType,
	// isAdmin, isMfa): objectType 'service' is for applications and
	// managed identities; the role gets the security label
	// 'aadauth,oid=<objectId>,type=service' (no ",admin"). The _with_oid
	// form binds the role to the identity's object id (the stack's
	// app.identity output), so no directory look-up of the name is needed.
	// learn.microsoft.com/azure/postgresql/flexible-server/how-to-manage-azure-ad-users
	Entra = database.SignInEntra
)

// SignIns are the known ways in.
var SignIns = []SignIn{Password, RDSIAM, CloudSQLIAM, Entra}

// Access is what the application does with its tables.
type Access = database.Access

const (
	// ReadWrite: the writer's DML (no TRUNCATE, REFERENCES or TRIGGER; no
	// CREATE anywhere: the migrations own the schema).
	ReadWrite = database.AccessReadWrite
	// Read: the read replicas' user, SELECT only.
	Read = database.AccessRead
)

// createSQL creates the role, by sign-in (%s is the quoted name; Password
// also takes the quoted password, Entra the quoted object id). Every role
// is created NOSUPERUSER NOCREATEDB NOCREATEROLE (PostgreSQL's defaults,
// written out so a reader need not know them).
var createSQL = map[SignIn]string{
	Password: `CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %s`,
	RDSIAM:   `CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`,
	Entra:    `SELECT pgaadauth_create_principal_with_oid(%s, %s, 'service', false, false)`,
	// CloudSQLIAM: none, the stack creates it.
}

// memberships are the roles a user of each sign-in belongs to, and the
// only ones it may belong to.
var memberships = map[SignIn][]string{RDSIAM: {"rds_iam"}}

// tablePrivileges and sequencePrivileges are what each access holds on the
// app schema's tables and sequences, existing ones and, through default
// privileges of the migrations' role, future ones.
var (
	tablePrivileges    = map[Access][]string{ReadWrite: {"SELECT", "INSERT", "UPDATE", "DELETE"}, Read: {"SELECT"}}
	sequencePrivileges = map[Access][]string{ReadWrite: {"USAGE", "SELECT"}, Read: {"SELECT"}}
)

// Schema is the application's schema.
const Schema = "public"

// Checks: each returns true when the step is done. $1 is the user's name.
const (
	roleExists = `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`
	isMember   = `SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
  JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1 AND g.rolname = $2)`
	// CONNECT granted to the user itself (not only through PUBLIC, which
	// hardened databases revoke).
	hasConnect = `SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a
  WHERE d.datname = current_database() AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) AND a.privilege_type = 'CONNECT')`
	hasUsage = `SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a
  WHERE n.nspname = $2 AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) AND a.privilege_type = 'USAGE')`
	// Every table (relkind r, p, v, m) / sequence of the schema has every
	// privilege in $3.
	allTables = `SELECT NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, unnest($3::text[]) p
  WHERE n.nspname = $2 AND c.relkind IN ('r','p','v','m') AND NOT has_table_privilege($1, c.oid, p))`
	allSequences = `SELECT NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, unnest($3::text[]) p
  WHERE n.nspname = $2 AND c.relkind = 'S' AND NOT has_sequence_privilege($1, c.oid, p))`
	// The migrations' role's ($5) default privileges in the schema for
	// objects of kind $4 ('r' tables, 'S' sequences) give the user every
	// privilege in $3.
	defaults = `SELECT count(DISTINCT a.privilege_type) = cardinality($3::text[]) FROM pg_default_acl d, aclexplode(d.defaclacl) a
  WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $5)
    AND d.defaclnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $2) AND d.defaclobjtype = $4
    AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) AND a.privilege_type = ANY($3::text[])`
)

// migrationsRoleSQL names the role whose default privileges give the users
// what the migrations create later, and says whether the signed-in role may
// set them. PostgreSQL applies default privileges per creating role, and
// the migrations create the schema's objects as its owner; a schema owned
// by pg_database_owner (PostgreSQL 15's public, as RDS leaves it) stands
// for the database's owner, who then creates them. ALTER DEFAULT
// PRIVILEGES FOR ROLE needs membership of that role (pg_has_role MEMBER:
// what PostgreSQL checks; a superuser is a member of every role).
// www.postgresql.org/docs/15/sql-alterdefaultprivileges.html,
// www.postgresql.org/docs/15/predefined-roles.html
const migrationsRoleSQL = `SELECT r.rolname, pg_has_role(current_user, r.oid, 'MEMBER'), current_user
  FROM pg_namespace n, pg_database d, pg_roles r
  WHERE n.nspname = $1 AND d.datname = current_database()
    AND r.oid = CASE WHEN n.nspowner = (SELECT oid FROM pg_roles WHERE rolname = 'pg_database_owner') THEN d.datdba ELSE n.nspowner END`

// excessSQL lists what the user holds beyond its access, one line each:
// role attributes, memberships not in $3, database and schema privileges
// other than CONNECT and USAGE granted to it, table privileges outside $2.
const excessSQL = `SELECT x FROM (
  SELECT 'attribute ' || a AS x FROM pg_roles r, LATERAL (VALUES
    ('SUPERUSER', r.rolsuper), ('CREATEROLE', r.rolcreaterole), ('CREATEDB', r.rolcreatedb),
    ('REPLICATION', r.rolreplication), ('BYPASSRLS', r.rolbypassrls)) v(a, held)
  WHERE r.rolname = $1 AND held
  UNION ALL
  SELECT 'member of ' || g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
    JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1 AND NOT g.rolname = ANY($3::text[])
  UNION ALL
  SELECT a.privilege_type || ' on database ' || d.datname FROM pg_database d, aclexplode(d.datacl) a
    WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) AND a.privilege_type <> 'CONNECT'
  UNION ALL
  SELECT a.privilege_type || ' on schema ' || n.nspname FROM pg_namespace n, aclexplode(n.nspacl) a
    WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) AND a.privilege_type <> 'USAGE'
  UNION ALL
  SELECT a.privilege_type || ' on ' || n.nspname || '.' || c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
    WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)
      AND NOT a.privilege_type = ANY(CASE WHEN c.relkind = 'S' THEN $4::text[] ELSE $2::text[] END)
  UNION ALL
  SELECT 'owns ' || c.relname FROM pg_class c WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)
) e ORDER BY x`
