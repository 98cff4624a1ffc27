package backup

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"io"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// AgeChart draws the age of each series' newest verified copy over the
// window, with the RPO limit, as SVG (gonum/plot).
func (c *Compliance) AgeChart() ([]byte, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Age of the newest verified copy, stack %s, last %d days", c.Stack, int(c.Window.Hours()/24))
	p.X.Label.Text = "days before " + c.At.UTC().Format("2006-01-02 15:04 UTC")
	p.Y.Label.Text = "age (hours)"
	p.Y.Min = 0
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	// Room above the RPO line for the legend.
	p.Y.Max = 1.6 * c.RPO.Hours()
	for i, s := range c.Series {
		ages := c.Ages(s)
		if len(ages) == 0 {
			continue
		}
		for _, a := range ages {
			p.Y.Max = max(p.Y.Max, 1.1*a.Hours)
		}
		xy := make(plotter.XYs, len(ages))
		for j, a := range ages {
			xy[j] = plotter.XY{X: -c.At.Sub(a.At).Hours() / 24, Y: a.Hours}
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		line.Color = plotutil.Color(i)
		line.Dashes = plotutil.Dashes(i)
		p.Add(line)
		p.Legend.Add(s.Name, line)
	}
	limit, err := plotter.NewLine(plotter.XYs{{X: -c.Window.Hours() / 24, Y: c.RPO.Hours()}, {X: 0, Y: c.RPO.Hours()}})
	if err != nil {
		return nil, err
	}
	limit.Color, limit.Width = color.NRGBA{R: 200, A: 255}, vg.Points(1.5)
	p.Add(limit)
	p.Legend.Add("RPO limit "+c.RPO.String(), limit)
	canvas := vgsvg.New(11*vg.Inch, 4.5*vg.Inch)
	p.Draw(draw.New(canvas))
	var buf bytes.Buffer
	if _, err = canvas.WriteTo(&buf); err != nil {
		return nil, err
	}
	// Inline in HTML: the <svg> element without the XML prolog.
	out := buf.Bytes()
	if i := bytes.Index(out, []byte("<svg")); i > 0 {
		out = out[i:]
	}
	return out, nil
}

var reportHTML = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":  func(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) },
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"age":  func(at, t time.Time) string { return at.Sub(t).Round(time.Minute).String() },
	"over": func(at, t time.Time, rpo time.Duration) bool { return at.Sub(t) > rpo },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Backup compliance: {{.C.Stack}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.bad{color:#b00020;font-weight:600}.good{color:#0a7d32;font-weight:600}
code{font-size:12px}
</style></head><body>
<h1>Backup compliance report: {{.C.Stack}}</h1>
<p>At {{when .C.At}}, over the last {{.Days}} days, one copy per {{.C.Schedule}} expected per tier and purpose.</p>
<p>Success rate: <span class="{{if .C.Met}}good{{else}}bad{{end}}">{{pct .C.Rate}}</span>
({{.C.Good}} of {{.C.Expected}} scheduled copies verified) against the target of {{pct .Target}}:
<span class="{{if .C.Met}}good{{else}}bad{{end}}">{{if .C.Met}}MET{{else}}BELOW TARGET{{end}}</span></p>
<div>{{.Chart}}</div>
<table>
<tr><th>tier and purpose</th><th>store</th><th>last good copy</th><th>age (RPO {{.C.RPO}})</th><th>verified</th><th>findings</th><th>lock</th><th>retention</th><th>key</th></tr>
{{range .C.Series}}<tr>
<td>{{.Name}}</td><td><code>{{.Location}}</code></td>
{{if .LastGood}}<td>{{when .LastGood.CreatedAt}}</td>
<td class="{{if over $.C.At .LastGood.CreatedAt $.C.RPO}}bad{{else}}good{{end}}">{{age $.C.At .LastGood.CreatedAt}}</td>
{{else}}<td class="bad">none</td><td class="bad">-</td>{{end}}
<td class="{{if lt .Rate $.Target}}bad{{else}}good{{end}}">{{.Good}}/{{.Expected}} ({{pct .Rate}})</td>
<td class="{{if .Findings}}bad{{end}}">{{.Findings}}</td>
<td>{{.LockMode}}</td><td>{{if .RetentionDays}}{{.RetentionDays}} days{{end}}</td><td><code>{{.KeyID}}</code></td>
</tr>{{end}}
</table>
{{with .C.RestoreTests}}<h2>Restore tests (AWS Backup)</h2>
<p>{{len .Tests}} in the window: <span class="good">{{.Passed}} passed</span>, <span class="{{if .Failed}}bad{{else}}good{{end}}">{{.Failed}} failed</span>.
{{with .LastPassed}}Last passed {{when .Created}}: restored in {{.Duration}} against the {{$.RestoreTarget}} target.{{else}}<span class="bad">No restore test passed.</span>{{end}}</p>
<table><tr><th>started</th><th>recovery point</th><th>status</th><th>validation</th><th>took</th><th>why it failed</th></tr>
{{range .Tests}}<tr><td>{{when .Created}}</td><td><code>{{.RecoveryPoint}}</code></td><td>{{.Status}}</td><td>{{.Validation}}</td><td>{{.Duration}}</td><td class="bad">{{.Failed}}</td></tr>{{end}}
</table>{{end}}
{{with .C.Restores}}<h2>Restores and erasure replay</h2>
<p class="{{if .Unreplayed}}bad{{else}}good{{end}}">{{.Summary}}</p>
{{if .Restores}}<table><tr><th>restore</th><th>when</th><th>erasure ledger replayed</th></tr>
{{range .Restores}}<tr><td>{{.Name}}</td><td>{{when .At}}</td>{{if .Replayed}}<td class="good">yes</td>{{else}}<td class="bad">NO: {{.Why}}</td>{{end}}</tr>{{end}}
</table>{{end}}{{end}}
{{if .Findings}}<h2>Findings</h2><ul>{{range .Findings}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
{{if .Notes}}<h2>Not checked</h2><ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>
`))

// WriteHTML writes the compliance report as one self-contained HTML page:
// the totals against SuccessTarget, the copy-age chart, a row per series,
// every finding and what was not checked.
func (c *Compliance) WriteHTML(w io.Writer, findings, notes []string) error {
	chart, err := c.AgeChart()
	if err != nil {
		return err
	}
	return reportHTML.Execute(w, map[string]any{
		"C": c, "Days": int(c.Window.Hours() / 24), "Target": SuccessTarget,
		// The SVG is gonum/plot's own output, not user input.
		"Chart":    template.HTML(chart), //nolint:gosec // generated by gonum/plot from numbers and our own labels
		"Findings": findings, "Notes": notes, "RestoreTarget": RestoreTarget,
	})
}
