package capacity

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Formats the chart can be written in, by file extension.
const (
	FormatSVG = "svg"
	FormatPNG = "png"
)

// FormatOf returns the format for a file name, or an error naming the
// extensions that work.
func FormatOf(path string) (string, error) {
	switch ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")); ext {
	case FormatSVG, FormatPNG:
		return ext, nil
	default:
		return "", fmt.Errorf("%q: cannot tell the format from the extension %q; use a .svg or .png file name", path, filepath.Ext(path))
	}
}

// Picture size: wide, because a year of weekly wedding-day peaks needs room
// to read as separate weeks.
const (
	width  = 15 * vg.Inch
	height = 6.5 * vg.Inch
)

var (
	peakColor    = color.NRGBA{R: 255, G: 226, B: 170, A: 255}
	trafficColor = color.NRGBA{R: 120, G: 120, B: 120, A: 255}
	maxColor     = color.NRGBA{R: 196, G: 40, B: 40, A: 255}
	minColor     = color.NRGBA{R: 130, G: 180, B: 240, A: 255}
	cloudStyles  = map[string]draw.LineStyle{
		"AWS":   {Color: color.NRGBA{R: 230, G: 120, B: 0, A: 255}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(6), vg.Points(4)}},
		"GCP":   {Color: color.NRGBA{R: 0, G: 140, B: 60, A: 255}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(2), vg.Points(3)}, DashOffs: vg.Points(3)},
		"Azure": {Color: color.NRGBA{R: 120, G: 50, B: 170, A: 255}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}, DashOffs: vg.Points(6)},
	}
)

// Write draws the chart in format (FormatSVG or FormatPNG) to w.
func (c *Chart) Write(w io.Writer, format string) error {
	p, err := c.plot()
	if err != nil {
		return err
	}
	var canvas interface {
		vg.CanvasSizer
		io.WriterTo
	}
	switch format {
	case FormatSVG:
		canvas = vgsvg.New(width, height)
	case FormatPNG:
		canvas = vgimg.PngCanvas{Canvas: vgimg.New(width, height)}
	default:
		return fmt.Errorf("format %q: use %s or %s", format, FormatSVG, FormatPNG)
	}
	p.Draw(draw.New(canvas))
	_, err = canvas.WriteTo(w)
	return err
}

// Render is Write into memory, so a failed drawing never leaves a
// half-written file behind.
func (c *Chart) Render(format string) ([]byte, error) {
	var buf bytes.Buffer
	if err := c.Write(&buf, format); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// x is t's position on the horizontal axis: days since the year's start.
func (c *Chart) x(t time.Time) float64 { return t.Sub(c.Start).Hours() / 24 }

// plot draws, back to front: the peak-season bands, the grid, the
// traffic, the calendar's minimum and maximum, and each cloud's schedule.
func (c *Chart) plot() (*plot.Plot, error) {
	p := c.frame()
	if err := c.drawPeak(p); err != nil {
		return nil, err
	}
	grid := plotter.NewGrid()
	grid.Horizontal.Color = color.Gray{Y: 225}
	grid.Vertical.Color = color.Gray{Y: 210}
	p.Add(grid)
	if err := c.drawTraffic(p); err != nil {
		return nil, err
	}
	if err := c.drawCalendar(p); err != nil {
		return nil, err
	}
	if err := c.drawClouds(p); err != nil {
		return nil, err
	}
	return p, nil
}

// frame is the empty plot: title, axes scaled to the highest line, legend.
func (c *Chart) frame() *plot.Plot {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Capacity through %d, stack %s: season calendar and each cloud's simulated schedule", c.Year, c.Stack)
	p.Title.Padding = vg.Points(12)
	p.Title.TextStyle.Font.Size = vg.Points(15)
	p.X.Label.Text = fmt.Sprintf("%d, local time (%s); ticks mark Saturdays; the weekly spikes are wedding days, %s to %s",
		c.Year, c.Timezone, c.WeddingDays.Start, c.WeddingDays.End)
	p.X.Label.TextStyle.Font.Size = vg.Points(12)
	p.Y.Label.TextStyle.Font.Size = vg.Points(12)
	p.X.Tick.Label.Font.Size = vg.Points(11)
	p.Y.Tick.Label.Font.Size = vg.Points(11)
	p.Y.Label.Text = "instances"
	p.X.Min, p.X.Max = 0, c.x(c.End)
	p.X.Tick.Marker = monthTicks{c}
	// Room above the highest line for the legend.
	p.Y.Min, p.Y.Max = 0, math.Max(c.top()*1.5, 1)
	p.Y.Tick.Marker = countTicks{}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(6)
	p.Legend.ThumbnailWidth = vg.Points(36)
	p.Legend.TextStyle.Font.Size = vg.Points(11)
	p.Legend.Padding = vg.Points(3)
	return p
}

// top is the highest value drawn: the calendar's maximum or the traffic.
func (c *Chart) top() float64 {
	top := 0.0
	for _, v := range c.Max.Values {
		top = math.Max(top, v)
	}
	if c.Traffic != nil {
		for _, v := range c.Traffic.Values {
			if !math.IsNaN(v) {
				top = math.Max(top, v)
			}
		}
	}
	return top
}

// drawPeak shades each peak-season span, full height.
func (c *Chart) drawPeak(p *plot.Plot) error {
	for i, s := range c.Peak {
		poly, err := plotter.NewPolygon(plotter.XYs{
			{X: c.x(s.Start), Y: p.Y.Min}, {X: c.x(s.End), Y: p.Y.Min},
			{X: c.x(s.End), Y: p.Y.Max}, {X: c.x(s.Start), Y: p.Y.Max},
		})
		if err != nil {
			return err
		}
		poly.Color = peakColor
		poly.Width = 0
		p.Add(poly)
		if i == 0 {
			p.Legend.Add("peak season ("+c.PeakMonths+")", poly)
		}
	}
	return nil
}

// drawTraffic draws the traffic history, if any, broken where it has gaps.
func (c *Chart) drawTraffic(p *plot.Plot) error {
	if c.Traffic == nil {
		return nil
	}
	segments, err := c.gapped(c.Traffic.Values)
	if err != nil {
		return err
	}
	for i, seg := range segments {
		seg.LineStyle = draw.LineStyle{Color: trafficColor, Width: vg.Points(0.6)}
		p.Add(seg)
		if i == 0 {
			p.Legend.Add(c.Traffic.Name, seg)
		}
	}
	return nil
}

// drawCalendar draws the season calendar's minimum and maximum.
func (c *Chart) drawCalendar(p *plot.Plot) error {
	minLine, err := c.stepLine(c.Min.Values, draw.LineStyle{Color: minColor, Width: vg.Points(5)})
	if err != nil {
		return err
	}
	maxLine, err := c.stepLine(c.Max.Values, draw.LineStyle{Color: maxColor, Width: vg.Points(1.2)})
	if err != nil {
		return err
	}
	p.Add(maxLine, minLine)
	p.Legend.Add(c.Max.Name, maxLine)
	p.Legend.Add(c.Min.Name, minLine)
	return nil
}

// drawClouds draws each cloud's simulated schedule, marking the hours it
// differs from the calendar.
func (c *Chart) drawClouds(p *plot.Plot) error {
	for _, cs := range c.Clouds {
		style := cloudStyles[cs.Cloud]
		line, err := c.stepLine(cs.Values, style)
		if err != nil {
			return err
		}
		p.Add(line)
		label := cs.Name + ": same as the calendar every hour"
		if n := cs.DifferentHours(); n > 0 {
			label = fmt.Sprintf("%s: differs in %d h (marked)", cs.Name, n)
			marks, err := c.differenceMarks(cs, style.Color)
			if err != nil {
				return err
			}
			p.Add(marks)
			p.Legend.Add(label, line, marks)
			continue
		}
		p.Legend.Add(label, line)
	}
	return nil
}

// stepLine draws values as a step line that holds each hour's value until
// the next change. Only the hours where the value changes are kept (plus the
// year's end), which draws the same picture from a few hundred points
// instead of 8,760 and keeps the SVG small.
func (c *Chart) stepLine(values []float64, style draw.LineStyle) (*plotter.Line, error) {
	xys := stepPoints(c, values)
	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	line.StepStyle = plotter.PostStep
	line.LineStyle = style
	return line, nil
}

// stepPoints is the change points of values: (x, value) at each hour where
// the value differs from the hour before, and the year's end holding the
// last value.
func stepPoints(c *Chart, values []float64) plotter.XYs {
	var xys plotter.XYs
	for i, v := range values {
		if i > 0 && v == values[i-1] {
			continue
		}
		xys = append(xys, plotter.XY{X: c.x(c.Hours[i]), Y: v})
	}
	if n := len(values); n > 0 {
		xys = append(xys, plotter.XY{X: c.x(c.End), Y: values[n-1]})
	}
	return xys
}

// gapped splits values into lines at the NaNs (hours without samples), so a
// gap in the history shows as a gap.
func (c *Chart) gapped(values []float64) ([]*plotter.Line, error) {
	var out []*plotter.Line
	var run plotter.XYs
	flush := func() error {
		if len(run) > 0 {
			line, err := plotter.NewLine(run)
			if err != nil {
				return err
			}
			out = append(out, line)
		}
		run = nil
		return nil
	}
	for i, v := range values {
		if math.IsNaN(v) {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		run = append(run, plotter.XY{X: c.x(c.Hours[i]), Y: v})
	}
	return out, flush()
}

// differenceMarks puts a ring on each stretch where a cloud's minimum is not
// the calendar's: an hour is a tenth of a pixel on a year-wide axis, so the
// lines alone would hide it.
func (c *Chart) differenceMarks(cs CloudSeries, col color.Color) (*plotter.Scatter, error) {
	var xys plotter.XYs
	for _, d := range cs.Differs {
		i := c.index(d.Start)
		xys = append(xys, plotter.XY{X: c.x(d.Start), Y: cs.Values[i]})
	}
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(7), Shape: thickRing{}}
	return s, nil
}

// monthTicks labels each month at its first day, with an unlabelled tick
// on every Saturday, the day the wedding-day peaks are about.
type monthTicks struct{ c *Chart }

// Ticks implements plot.Ticker.
func (m monthTicks) Ticks(lo, hi float64) []plot.Tick {
	c := m.c
	var ticks []plot.Tick
	for mon := time.January; mon <= time.December; mon++ {
		t := time.Date(c.Year, mon, 1, 0, 0, 0, 0, c.Start.Location())
		ticks = append(ticks, plot.Tick{Value: c.x(t), Label: t.Format("Jan")})
	}
	first := c.Start.AddDate(0, 0, (int(time.Saturday)-int(c.Start.Weekday())+7)%7)
	for t := first; t.Before(c.End); t = t.AddDate(0, 0, 7) {
		if t.Day() != 1 {
			ticks = append(ticks, plot.Tick{Value: c.x(t)})
		}
	}
	var out []plot.Tick
	for _, t := range ticks {
		if t.Value >= lo && t.Value <= hi {
			out = append(out, t)
		}
	}
	return out
}

// thickRing is draw.RingGlyph with a line heavy enough to find on a
// year-wide chart.
type thickRing struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (thickRing) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(2)})
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}

// countTicks labels instance counts at a round step that gives five to ten
// labels, with an unlabelled tick halfway.
type countTicks struct{}

// Ticks implements plot.Ticker.
func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		step = s
		if (hi-lo)/s <= 10 {
			break
		}
	}
	var out []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		if mid := v + step/2; step >= 2 && mid <= hi {
			out = append(out, plot.Tick{Value: mid})
		}
	}
	return out
}
