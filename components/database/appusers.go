package database

// The application's database users, as the stack names them (its
// database.appUsers output) and `wedsync-infra db users` makes them after
// every up (internal/dbusers, which holds the SQL and the documents it
// follows).

// SignIn is how an application user signs in; it decides who creates the
// user and how.
type SignIn string

const (
	// SignInPassword (AWS writer, AWSAppUser): RDS Proxy signs in to the
	// instance with the password in its secret (pooler.go); the
	// application presents IAM tokens to the proxy only. Not in rds_iam:
	// RDS then refuses the password.
	SignInPassword SignIn = "password"
	// SignInRDSIAM (AWS readers, AWSReadUser): IAM tokens straight to the
	// read replicas, for members of rds_iam.
	SignInRDSIAM SignIn = "rds_iam"
	// SignInCloudSQLIAM (GCP): the stack creates the IAM database user.
	SignInCloudSQLIAM SignIn = "cloudsql_iam"
	// SignInEntra (Azure): the managed identity as a non-admin Microsoft
	// Entra principal, which only SQL can create.
	SignInEntra SignIn = "entra"
)

// Access is what an application user does with the app's tables.
type Access string

const (
	// AccessReadWrite is the writer's DML.
	AccessReadWrite Access = "readwrite"
	// AccessRead is the read replicas' user: SELECT only.
	AccessRead Access = "read"
)
