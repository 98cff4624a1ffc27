package drill

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	monitoring "google.golang.org/api/monitoring/v3"
	"google.golang.org/api/option"
)

// Result is what a drill publishes: whether it passed, and how long the
// restore took, for the source stack.
type Result struct {
	Stack          string
	Succeeded      bool
	RestoreSeconds float64
	At             time.Time
}

// ResultOf is a recovery drill's result.
func ResultOf(rep *RecoveryReport) Result {
	return Result{Stack: rep.Stack, Succeeded: rep.OK, RestoreSeconds: rep.RestoreSeconds, At: rep.Started.Add(time.Duration(rep.RestoreSeconds * float64(time.Second)))}
}

// Publisher publishes a drill's result as a metric on a cloud, where the
// stack's restore drill alarm (components/alerting) reads it.
type Publisher interface {
	Publish(ctx context.Context, r Result) error
}

func succeeded(r Result) float64 {
	if r.Succeeded {
		return 1
	}
	return 0
}

// The metric names as the drill writes them. The alarms read the same names
// (components/alerting/drill.go); metric_test.go checks the two agree
// through the planned alarms, not by sharing a constant.
const (
	cloudWatchNamespace = "WedSync/RestoreDrill"
	metricSucceeded     = "DrillSucceeded"
	metricSeconds       = "RestoreSeconds"
	dimensionStack      = "Stack"
	gcpMetricPrefix     = "custom.googleapis.com/wedsync/restore_drill/"
)

// CloudWatch publishes through CloudWatch's PutMetricData, a documented
// Query API call (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/
// API_PutMetricData.html) signed with Signature Version 4: the CloudWatch
// SDK module is not among the project's, the signer is.
type CloudWatch struct {
	Region      string
	Credentials aws.CredentialsProvider
	// Endpoint replaces https://monitoring.REGION.amazonaws.com (tests).
	Endpoint string
	HTTP     *http.Client
}

// Publish implements Publisher.
func (c CloudWatch) Publish(ctx context.Context, r Result) error {
	form := url.Values{"Action": {"PutMetricData"}, "Version": {"2010-08-01"}, "Namespace": {cloudWatchNamespace}}
	at := r.At.UTC().Format(time.RFC3339)
	for i, m := range []struct {
		name, unit string
		value      float64
	}{{metricSucceeded, "Count", succeeded(r)}, {metricSeconds, "Seconds", r.RestoreSeconds}} {
		p := fmt.Sprintf("MetricData.member.%d.", i+1)
		form.Set(p+"MetricName", m.name)
		form.Set(p+"Value", strconv.FormatFloat(m.value, 'f', -1, 64))
		form.Set(p+"Unit", m.unit)
		form.Set(p+"Timestamp", at)
		form.Set(p+"Dimensions.member.1.Name", dimensionStack)
		form.Set(p+"Dimensions.member.1.Value", r.Stack)
	}
	endpoint := c.Endpoint
	if endpoint == "" {
		endpoint = "https://monitoring." + c.Region + ".amazonaws.com/"
	}
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := c.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("AWS credentials: %w", err)
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "monitoring", c.Region, time.Now()); err != nil {
		return err
	}
	return send(c.HTTP, req, "CloudWatch PutMetricData")
}

// CloudMonitoring publishes two custom metrics through the Cloud Monitoring
// API's Go client (google.golang.org/api/monitoring/v3, timeSeries.create)
// on the global resource of the stack's project.
type CloudMonitoring struct {
	Project string
	Options []option.ClientOption
}

// Publish implements Publisher.
func (c CloudMonitoring) Publish(ctx context.Context, r Result) error {
	svc, err := monitoring.NewService(ctx, c.Options...)
	if err != nil {
		return err
	}
	at := r.At.UTC().Format(time.RFC3339Nano)
	var series []*monitoring.TimeSeries
	for _, m := range []struct {
		name  string
		value float64
	}{{"succeeded", succeeded(r)}, {"restore_seconds", r.RestoreSeconds}} {
		v := m.value
		series = append(series, &monitoring.TimeSeries{
			Metric:     &monitoring.Metric{Type: gcpMetricPrefix + m.name, Labels: map[string]string{"stack": r.Stack}},
			Resource:   &monitoring.MonitoredResource{Type: "global", Labels: map[string]string{"project_id": c.Project}},
			MetricKind: "GAUGE", ValueType: "DOUBLE",
			Points: []*monitoring.Point{{Interval: &monitoring.TimeInterval{EndTime: at}, Value: &monitoring.TypedValue{DoubleValue: &v}}},
		})
	}
	_, err = svc.Projects.TimeSeries.Create("projects/"+c.Project, &monitoring.CreateTimeSeriesRequest{TimeSeries: series}).Context(ctx).Do()
	if err != nil {
		return fmt.Errorf("timeSeries.create of Cloud Monitoring: %w", err)
	}
	return nil
}

// AppInsights publishes two custom metrics to the stack's drill Application
// Insights component through its ingestion endpoint (the connection
// string's IngestionEndpoint, v2.1/track: the telemetry envelope the
// Application Insights SDKs send; learn.microsoft.com/azure/azure-monitor/
// app/connection-strings). With Credential set the request carries an
// Entra token (a component with local authentication off).
type AppInsights struct {
	ConnectionString string
	Credential       azcore.TokenCredential
	HTTP             *http.Client
}

// Publish implements Publisher.
func (a AppInsights) Publish(ctx context.Context, r Result) error {
	fields := map[string]string{}
	for _, kv := range strings.Split(a.ConnectionString, ";") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	ikey, endpoint := fields["instrumentationkey"], fields["ingestionendpoint"]
	if ikey == "" || endpoint == "" {
		return fmt.Errorf("the connection string names no InstrumentationKey and IngestionEndpoint (the stack's restoreDrill.connectionString output)")
	}
	var envelopes []any
	for _, m := range []struct {
		name  string
		value float64
	}{{metricSucceeded, succeeded(r)}, {metricSeconds, r.RestoreSeconds}} {
		envelopes = append(envelopes, map[string]any{
			"name": "Microsoft.ApplicationInsights.Metric", "time": r.At.UTC().Format(time.RFC3339Nano), "iKey": ikey,
			"data": map[string]any{"baseType": "MetricData", "baseData": map[string]any{
				"ver": 2, "metrics": []any{map[string]any{"name": m.name, "value": m.value, "count": 1}},
				"properties": map[string]string{dimensionStack: r.Stack},
			}},
		})
	}
	body, err := json.Marshal(envelopes)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/v2.1/track", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.Credential != nil {
		tok, err := a.Credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://monitor.azure.com//.default"}})
		if err != nil {
			return fmt.Errorf("credentials for Azure Monitor: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.Token)
	}
	return send(a.HTTP, req, "Application Insights track")
}

func send(c *http.Client, req *http.Request, what string) error {
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer func() { _ = resp.Body.Close() }()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s: %s", what, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}
