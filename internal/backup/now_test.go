package backup

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// No emulator of the clouds' backup APIs runs here (gofakes3,
// fake-gcs-server and Azurite are storage only), so `backup now` is tested
// against fakes of the documented REST calls: the request each cloud's
// API takes (path, method, body, signature or token) and the job it
// answers. What only a cloud can show (the job really running, IAM, a
// locked vault's minimum retention) needs a cloud account.

var nowAt = time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)

// fakeAPI answers each "METHOD path" with a status and body, and fails the
// test on any other request; it records the bodies it got.
func fakeAPI(t *testing.T, tls bool, routes map[string]func(r *http.Request, body map[string]any) (int, string)) (*httptest.Server, map[string]map[string]any) {
	got := map[string]map[string]any{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		route, ok := routes[key]
		if !ok {
			t.Errorf("unexpected request %s", key)
			http.Error(w, "no such route", http.StatusNotFound)
			return
		}
		var body map[string]any
		data, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(data, &body)
		got[key] = body
		code, out := route(r, body)
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(out, "async:") {
			w.Header().Set("Azure-AsyncOperation", "https://"+r.Host+strings.TrimPrefix(out, "async:"))
			out = ""
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, out)
	})
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return srv, got
}

func awsEnv(t *testing.T) {
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"} {
		t.Setenv(k, v)
	}
}

func TestBackupNowOnAWSStartsABackupJobSignedForAWSBackup(t *testing.T) {
	awsEnv(t)
	for _, broken := range []bool{false, true} {
		srv, got := fakeAPI(t, false, map[string]func(*http.Request, map[string]any) (int, string){
			"PUT /backup-jobs": func(r *http.Request, _ map[string]any) (int, string) {
				if !strings.Contains(r.Header.Get("Authorization"), "/eu-west-2/backup/aws4_request") {
					return 403, `{"message":"bad signature"}`
				}
				if broken {
					return 400, `{"message":"Invalid lifecycle: shorter than the vault lock's minimum retention"}`
				}
				return 200, `{"BackupJobId":"job-1"}`
			},
			"GET /backup-jobs/job-1": func(*http.Request, map[string]any) (int, string) {
				return 200, `{"State":"COMPLETED","PercentDone":"100.0"}`
			},
		})
		d := Database{Cloud: "aws", Region: "eu-west-2", Target: "arn:aws:rds:eu-west-2:1:db:wedsync-prod-main", Vault: "wedsync-prod-db-euw2",
			JobIdentity: "arn:aws:iam::1:role/wedsync-prod-db-backup", RetentionDays: 365}
		jobs, err := StartNow(context.Background(), d, NowOptions{Endpoints: Endpoints{"aws": srv.URL}, Now: nowAt, Wait: time.Minute, Poll: time.Millisecond})
		if broken {
			if err == nil || !strings.Contains(err.Error(), "vault lock's minimum retention") {
				t.Fatalf("a refused job must say why, got %v", err)
			}
			continue
		}
		body := got["PUT /backup-jobs"]
		if err != nil || len(jobs) != 1 || jobs[0].ID != "job-1" || jobs[0].State != "COMPLETED 100.0%" ||
			body["ResourceArn"] != d.Target || body["BackupVaultName"] != d.Vault || body["IamRoleArn"] != d.JobIdentity ||
			body["Lifecycle"].(map[string]any)["DeleteAfterDays"] != 365.0 || !strings.Contains(jobs[0].Watch, "describe-backup-job --region eu-west-2 --backup-job-id job-1") {
			t.Fatalf("jobs %+v, err %v, request %v", jobs, err, body)
		}
	}
}

func TestBackupNowOnGCPBacksUpThenExportsIntoTheBucket(t *testing.T) {
	ops := map[string]int{}
	srv, got := fakeAPI(t, false, map[string]func(*http.Request, map[string]any) (int, string){
		"POST /v1/projects/wedsync-prod/instances/wedsync-prod-gcp-main/backupRuns": func(*http.Request, map[string]any) (int, string) {
			return 200, `{"name":"op-backup"}`
		},
		"GET /v1/projects/wedsync-prod/operations/op-backup": func(*http.Request, map[string]any) (int, string) {
			ops["op-backup"]++
			if ops["op-backup"] < 2 {
				return 200, `{"name":"op-backup","status":"RUNNING"}`
			}
			return 200, `{"name":"op-backup","status":"DONE"}`
		},
		"POST /v1/projects/wedsync-prod/instances/wedsync-prod-gcp-main/export": func(*http.Request, map[string]any) (int, string) {
			if ops["op-backup"] < 2 {
				return 409, `{"error":{"code":409,"message":"Operation failed because another operation was already in progress."}}`
			}
			return 200, `{"name":"op-export"}`
		},
	})
	d := Database{Cloud: "gcp", Project: "wedsync-prod", Target: "wedsync-prod-gcp-main", Name: "wedsync",
		ExportPath: "gs://wedsync-prod-gcp-backup-db-exports-euw2/database/"}
	jobs, err := StartNow(context.Background(), d, NowOptions{Endpoints: Endpoints{"gcp": srv.URL + "/"}, HTTPClient: srv.Client(),
		Now: nowAt, Poll: time.Millisecond, Reason: "region wobble"})
	if err != nil || len(jobs) != 2 || jobs[0].State != "DONE" || jobs[1].ID != "op-export" {
		t.Fatalf("jobs %+v, err %v", jobs, err)
	}
	ec := got["POST /v1/projects/wedsync-prod/instances/wedsync-prod-gcp-main/export"]["exportContext"].(map[string]any)
	if ec["uri"] != "gs://wedsync-prod-gcp-backup-db-exports-euw2/database/emergency-20261206T140000Z.sql.gz" || ec["fileType"] != "SQL" {
		t.Fatalf("export context %v", ec)
	}
	if desc := got["POST /v1/projects/wedsync-prod/instances/wedsync-prod-gcp-main/backupRuns"]["description"]; desc != "wedsync-infra backup now: region wobble" {
		t.Errorf("backup run description %v: the reason is recorded with the backup", desc)
	}
}

type fakeToken struct{}

func (fakeToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "fake", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestBackupNowOnAzureStartsAnOnDemandServerBackup(t *testing.T) {
	server := "/subscriptions/s/resourceGroups/wedsync-prod-azure-uks/providers/Microsoft.DBforPostgreSQL/flexibleServers/wedsync-prod-azure-main-uks"
	srv, _ := fakeAPI(t, true, map[string]func(*http.Request, map[string]any) (int, string){
		"PUT " + server + "/backups/wedsync-now-20261206t140000z": func(r *http.Request, _ map[string]any) (int, string) {
			if r.Header.Get("Authorization") != "Bearer fake" || r.URL.Query().Get("api-version") != azureBackupAPI {
				return 401, `{"error":{"code":"AuthenticationFailed"}}`
			}
			return 202, "async:/operations/op-1"
		},
		"GET /operations/op-1": func(*http.Request, map[string]any) (int, string) { return 200, `{"status":"Succeeded"}` },
	})
	d := Database{Cloud: "azure", Target: server}
	jobs, err := StartNow(context.Background(), d, NowOptions{Endpoints: Endpoints{"azure": srv.URL}, HTTPClient: srv.Client(),
		AzureCredential: fakeToken{}, Now: nowAt, Wait: time.Minute, Poll: time.Millisecond})
	if err != nil || len(jobs) != 1 || jobs[0].State != "Succeeded" ||
		jobs[0].Watch != "az postgres flexible-server backup show --resource-group wedsync-prod-azure-uks --name wedsync-prod-azure-main-uks --backup-name wedsync-now-20261206t140000z" {
		t.Fatalf("jobs %+v, err %v", jobs, err)
	}
}
