package cost

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/wedsync/wedsync-infra/internal/capacity"
)

var categoryColors = map[string]color.Color{
	"compute":    color.NRGBA{R: 230, G: 120, B: 0, A: 255},
	"database":   color.NRGBA{R: 40, G: 100, B: 190, A: 255},
	"storage":    color.NRGBA{R: 0, G: 140, B: 60, A: 255},
	"networking": color.NRGBA{R: 120, G: 50, B: 170, A: 255},
	"security":   color.NRGBA{R: 196, G: 40, B: 40, A: 255},
	"monitoring": color.NRGBA{R: 130, G: 130, B: 130, A: 255},
}

// Render draws the year's monthly cost stacked by category, with the
// budget's off-peak and peak limits, as format (capacity.FormatSVG or
// capacity.FormatPNG).
func (r *Report) Render(format string) ([]byte, error) {
	p, err := r.plot()
	if err != nil {
		return nil, err
	}
	const w, h = 12 * vg.Inch, 6 * vg.Inch
	var buf bytes.Buffer
	switch format {
	case capacity.FormatSVG:
		c := vgsvg.New(w, h)
		p.Draw(draw.New(c))
		_, err = c.WriteTo(&buf)
	case capacity.FormatPNG:
		c := vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
		p.Draw(draw.New(c))
		_, err = c.WriteTo(&buf)
	default:
		return nil, fmt.Errorf("format %q: use svg or png", format)
	}
	return buf.Bytes(), err
}

func (r *Report) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Estimated cost through %d, stack %s (USD, on-demand list prices; assumptions %s)", r.Year, r.Stack, r.Assumptions.File)
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.Y.Label.Text = "USD per month"
	p.X.Label.Text = "month (* peak season); lines: the stack's budget, off-peak and peak"
	names := make([]string, len(r.Months))
	for i, m := range r.Months {
		names[i] = m.Month[5:]
		if m.Peak {
			names[i] += "*"
		}
	}
	p.NominalX(names...)
	var below *plotter.BarChart
	for _, cat := range Categories {
		vals := make(plotter.Values, len(r.Months))
		for i, m := range r.Months {
			vals[i] = m.ByCategory[cat]
		}
		bars, err := plotter.NewBarChart(vals, vg.Points(40))
		if err != nil {
			return nil, err
		}
		bars.Color = categoryColors[cat]
		bars.LineStyle.Width = 0
		if below != nil {
			bars.StackOn(below)
		}
		below = bars
		p.Add(bars)
		p.Legend.Add(cat, bars)
	}
	for _, b := range []struct {
		name  string
		value float64
		peak  bool
		dash  []vg.Length
	}{
		{fmt.Sprintf("budget off-peak $%.0f", r.Budget.Amount), r.Budget.Amount, false, nil},
		{fmt.Sprintf("budget peak $%.0f", r.Budget.PeakAmount), r.Budget.PeakAmount, true, []vg.Length{vg.Points(6), vg.Points(4)}},
	} {
		if b.value <= 0 {
			continue
		}
		var pts plotter.XYs
		for i, m := range r.Months {
			if m.Peak == b.peak {
				pts = append(pts, plotter.XY{X: float64(i) - 0.45, Y: b.value}, plotter.XY{X: float64(i) + 0.45, Y: b.value})
			}
		}
		for i := 0; i+1 < len(pts); i += 2 {
			l, err := plotter.NewLine(pts[i : i+2])
			if err != nil {
				return nil, err
			}
			l.Color, l.Width, l.Dashes = color.Black, vg.Points(2), b.dash
			p.Add(l)
			if i == 0 {
				p.Legend.Add(b.name, l)
			}
		}
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Y.Min = 0
	top := 0.0
	for _, m := range r.Months {
		top = max(top, m.Total)
	}
	p.Y.Max = max(top, r.Budget.Amount, r.Budget.PeakAmount) * 1.25
	return p, nil
}
