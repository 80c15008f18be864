package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"time"

	"github.com/kramers-sim/kramers/gpu"
	"github.com/kramers-sim/kramers/gpu/view"
	"github.com/kramers-sim/kramers/host"
)

// viewFlags are the flags of `kramers view` besides the run flags.
type viewFlags struct {
	headless  bool
	frames    int
	every     int
	out       string
	width     int
	height    int
	box       string
	maxPoints int
	pointSize float64
	density   bool
	iters     int
	frameMS   float64
	status    string
	shots     string
	paused    bool
	noGIF     bool
}

func (v *viewFlags) register(fs interface {
	BoolVar(*bool, string, bool, string)
	IntVar(*int, string, int, string)
	StringVar(*string, string, string, string)
	Float64Var(*float64, string, float64, string)
}) {
	fs.BoolVar(&v.headless, "headless", false, "no window: render --frames pictures into an offscreen framebuffer and write PNGs and a GIF to --out")
	fs.IntVar(&v.frames, "frames", 60, "headless: number of frames (frame 0 is iteration 0)")
	fs.IntVar(&v.every, "frame-every", 0, "headless: iterations between saved frames (0: --iters)")
	fs.StringVar(&v.out, "out", "view-out", "headless: directory for frame_NNNN.png, view.gif and view.json")
	fs.IntVar(&v.width, "width", 960, "window or frame width in pixels")
	fs.IntVar(&v.height, "height", 720, "window or frame height in pixels")
	fs.StringVar(&v.box, "box", "", "view box u0,u1,v0,v1 in view coordinates (2-D: x0,x1,y0,y1; 1-D: x0,x1,L0,L1); default: around a, b and the target. In 2-D it is widened along one axis to fill the plot with equal scales")
	fs.IntVar(&v.maxPoints, "max-points", view.DefaultMaxPoints, "draw at most this many particles per frame (a stride subsample above)")
	fs.Float64Var(&v.pointSize, "point-size", 0, "particle size in pixels (0: automatic)")
	fs.BoolVar(&v.density, "density", false, "start in the density view (key f toggles)")
	fs.IntVar(&v.iters, "iters", 0, "iterations per frame (0: automatic in the window, simulating for about half of --frame-ms; headless: about 2^21 particle-steps per frame; keys + and - fix it)")
	fs.Float64Var(&v.frameMS, "frame-ms", float64(view.DefaultFrameTarget)/float64(time.Millisecond), "window: frame time in milliseconds that the automatic --iters aims at (the simulation gets half)")
	fs.StringVar(&v.status, "status", "", "window: keep a JSON status (iteration, counts, paused, mapping) in FILE")
	fs.StringVar(&v.shots, "shots", ".", "window: directory for screenshots (key s)")
	fs.BoolVar(&v.paused, "paused", false, "window: start paused")
	fs.BoolVar(&v.noGIF, "no-gif", false, "headless: write the PNG frames only")
}

// viewStatus is what the window reports in --status FILE and, one line a second, on stdout.
type viewStatus struct {
	Iteration     int     `json:"iteration"`
	Time          float64 `json:"time"`
	Particles     int     `json:"particles"`
	Escaped       int     `json:"escaped"`
	Diverged      int     `json:"diverged"`
	Paused        bool    `json:"paused"`
	Density       bool    `json:"density"`
	Seed          uint64  `json:"seed"`
	ItersPerFrame int     `json:"iterations_per_frame"`
	ItersAuto     bool    `json:"iterations_auto"` // chosen by the frame-time target (--iters 0, until + or −)
	Frames        int     `json:"frames"`
	FrameMillis   float64 `json:"frame_ms"` // the last frame
	// FrameBudget is where a frame's time goes, in ms per frame averaged over about half a
	// second: simulate, background, points, overlay, present, estimate (the records' read-back,
	// spread over the frames), the whole frame and frames per second. Phases are timed on the
	// CPU up to a glFinish at their end.
	FrameBudget view.Budget `json:"frame_budget_ms"`
	StepsPerSec float64     `json:"particle_steps_per_second"`
	Screenshots []string    `json:"screenshots"`
	Title       string      `json:"title"`
	Platform    string      `json:"platform"`
	XvfbPID     int         `json:"xvfb_pid,omitempty"`
	Display     string      `json:"display,omitempty"` // the private Xvfb's display`
	// Rate is the panel's κ̂ (the quasi-stationary rate of host.Measure, as a run reports it) on
	// the records read at RateIteration; null and RateNote when unresolved.
	Rate          *float64       `json:"rate"`
	RateNote      string         `json:"rate_note,omitempty"`
	RateIteration int            `json:"rate_iteration"`
	Mapping       view.Mapping   `json:"mapping"`
	Landmarks     view.Landmarks `json:"landmarks"`
}

func cmdView(args []string) error {
	var rf runFlags
	var vf viewFlags
	fs := newFlagSet("view")
	rf.register(fs)
	vf.register(fs)
	// The view keeps escaped particles moving so they fill the other basin; --absorb=true
	// freezes them on the escape surface as `kramers run` does.
	rf.cfg.Absorb = false
	fs.Lookup("absorb").DefValue = "false"
	if err := rf.parse(fs, args); err != nil {
		return err
	}
	if rf.cfg.Backend != "gpu" {
		return &host.InputError{Flag: "backend", Msg: "kramers view draws the GPU buffers: use --backend gpu"}
	}
	if vf.width < 64 || vf.height < 64 || vf.width > 8192 || vf.height > 8192 {
		return usageError{fmt.Errorf("--width and --height must be within 64..8192, got %d×%d", vf.width, vf.height)}
	}
	if vf.headless && (vf.frames < 1 || vf.every < 0) {
		return usageError{fmt.Errorf("--frames must be ≥ 1 and --every ≥ 0, got %d and %d", vf.frames, vf.every)}
	}
	if vf.iters < 0 || vf.maxPoints < 1 || !(vf.frameMS > 0) {
		return usageError{fmt.Errorf("--iters must be ≥ 0, --max-points ≥ 1 and --frame-ms > 0")}
	}
	opt := view.Options{MaxPoints: vf.maxPoints, PointSize: float32(vf.pointSize), Density: vf.density}
	if vf.box != "" {
		b, err := parseVec(vf.box)
		if err != nil || len(b) != 4 || !(b[1] > b[0] && b[3] > b[2]) {
			return usageError{fmt.Errorf("--box wants u0,u1,v0,v1 with u0 < u1 and v0 < v1, got %q", vf.box)}
		}
		copy(opt.Box[:], b)
	}
	p, err := host.Prepare(rf.cfg)
	if err != nil {
		return err
	}
	if vf.headless {
		if vf.iters == 0 {
			vf.iters = max(1, (1<<21)/max(p.Config.Particles, 1))
		}
		return viewHeadless(p, vf, opt)
	}
	return viewWindow(p, vf, opt)
}

// viewHeadless writes numbered PNG frames, an animated GIF and view.json (mapping, landmarks)
// through view.RenderFrames: no window, EGL where there is no display. On SIGINT/SIGTERM it
// finishes the frame in hand, writes the GIF of the frames so far and view.json marked
// "partial": true, and returns errInterrupted (exit status 130, docs/architecture.md
// "Command-line contract"); a second signal ends the program at once.
func viewHeadless(p *host.Problem, vf viewFlags, opt view.Options) error {
	if err := os.MkdirAll(vf.out, 0o755); err != nil {
		return usageError{fmt.Errorf("--out %s: %v", vf.out, err)}
	}
	every := vf.every
	if every == 0 {
		every = vf.iters
	}
	m, lm, err := view.MappingOf(p, opt, vf.width, vf.height)
	if err != nil {
		return usageError{err}
	}
	// Catch the signals before any X server exists: a private Xvfb then installs no handler of
	// its own and is stopped when RenderFrames closes its context (gpu/xvfb.go).
	ctx, stop := catchSignals(nil)
	defer stop()
	var gifFrames []*image.Paletted
	written := 0
	start := time.Now()
	_, err = view.RenderFrames(p, view.FramesOptions{Frames: vf.frames, Every: every, Width: vf.width, Height: vf.height, View: opt,
		Each: func(f, it int, img *image.RGBA) error {
			path := filepath.Join(vf.out, fmt.Sprintf("frame_%04d.png", f))
			if err := view.SavePNG(path, img); err != nil {
				return err
			}
			written++
			if !vf.noGIF {
				gifFrames = append(gifFrames, view.GIFFrame(img))
			}
			fmt.Fprintf(stdout, "frame %d iteration %d %s\n", f, it, path)
			if ctx.Err() != nil {
				fmt.Fprintf(stderr, "kramers: %v: writing the %d frames so far (send it again to stop at once)\n", caughtSignal(ctx), written)
				return errInterrupted
			}
			return nil
		}})
	interrupted := errors.Is(err, errInterrupted)
	if err != nil && !interrupted {
		return fmt.Errorf("view --headless: %w", err)
	}
	if err := writeViewOutputs(vf, gifFrames, map[string]any{"frames": written, "every": every, "mapping": m, "landmarks": lm,
		"landscape": p.Config.Landscape, "noise": p.Config.Noise, "seconds": time.Since(start).Seconds(), "partial": interrupted}); err != nil {
		return err
	}
	if interrupted {
		return errInterrupted
	}
	return nil
}

// writeViewOutputs writes view.gif (unless --no-gif) and view.json into --out and says which
// files it wrote.
func writeViewOutputs(vf viewFlags, gifFrames []*image.Paletted, meta map[string]any) error {
	wrote := "view.json"
	if !vf.noGIF && len(gifFrames) > 0 {
		if err := view.SaveGIF(filepath.Join(vf.out, "view.gif"), gifFrames, 8); err != nil {
			return err
		}
		wrote = "view.gif and view.json"
	}
	data, _ := json.MarshalIndent(meta, "", "  ")
	if err := writeFile(filepath.Join(vf.out, "view.json"), append(data, '\n')); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d frames, %s to %s\n", meta["frames"], wrote, vf.out)
	return nil
}

// viewWindow is the live window: the simulation advances between frames; keys steer it.
// It closes cleanly on q/Esc, on the window being closed or destroyed, and on SIGINT/SIGTERM
// (exit status 130), and a private Xvfb it started is stopped before it returns.
func viewWindow(p *host.Problem, vf viewFlags, opt view.Options) (err error) {
	title := "kramers view: " + p.Config.Landscape
	// Catch the signals before any X server exists, so none can orphan it; a private Xvfb
	// then installs no handler of its own and is stopped by ctx.Close after the window.
	interrupt, stop := catchSignals(func(sig os.Signal) { fmt.Fprintf(stdout, "view: %v: closing the window\n", sig) })
	defer stop()
	ctx, err := gpu.NewContext(gpu.Options{Visible: true, Width: vf.width, Height: vf.height, Title: title})
	if err != nil {
		return usageError{fmt.Errorf("view: cannot open a window with OpenGL 4.3: %v (or use --headless)", err)}
	}
	defer func() {
		if cerr := ctx.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	win, err := view.OpenWindow(ctx)
	if err != nil {
		return err
	}
	s, err := view.NewSession(ctx, p, opt)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(stdout, "view: %q on %s\n", title, ctx.Describe())
	l := &windowLoop{s: s, win: win, vf: vf, paused: vf.paused, seed: p.Config.Seed, dirty: true,
		st: viewStatus{Particles: s.Particles(), Title: title, Platform: string(ctx.Platform()), XvfbPID: ctx.XvfbPID(), Display: ctx.XvfbDisplay(),
			Landmarks: s.Renderer.Landmarks(), Paused: vf.paused, Density: opt.Density, Screenshots: []string{}}}
	// --iters 0: the iterations per frame follow the frame-time target (simulating for about
	// half of --frame-ms), starting from about 2^21 particle-steps; + and − fix them.
	l.iters = vf.iters
	if l.iters == 0 {
		s.Pace = view.NewPace(time.Duration(vf.frameMS*float64(time.Millisecond)), max(1, (1<<21)/max(p.Config.Particles, 1)))
		l.iters = s.Pace.Iterations()
	}
	for frame := 0; ; frame++ {
		if interrupt.Err() != nil {
			return errInterrupted
		}
		if done, err := l.frame(frame); done || err != nil {
			return err
		}
	}
}

// windowLoop is the state of the live window between frames.
type windowLoop struct {
	s      *view.Session
	win    *view.Window
	vf     viewFlags
	st     viewStatus
	iters  int // iterations per frame
	paused bool
	seed   uint64
	shots  int
	dirty  bool // something changed since the last rendered frame

	lastStatus, lastLine, lastRender time.Time
	lastMapping                      view.Mapping
}

// frame runs one frame: keys, simulation, picture, screenshot and status. done is true when the
// window is to close without an error (q, Esc, the window closed or destroyed).
func (l *windowLoop) frame(frame int) (done bool, err error) {
	t0 := time.Now()
	keys, closing, fw, fh, err := l.win.Poll()
	if err != nil {
		return false, err
	}
	if closing {
		fmt.Fprintln(stdout, "view: window closed")
		return true, nil
	}
	step, screenshot, quit, err := l.keys(keys)
	if quit || err != nil {
		return quit, err
	}
	if !l.paused || step {
		if err := l.s.Step(l.iters); err != nil {
			return false, err
		}
		l.dirty = true
		if l.s.Pace != nil {
			l.iters = l.s.Pace.Iterations() // for the next frame
		}
	}
	if err := l.s.RefreshEstimate(l.paused); err != nil {
		return false, err
	}
	if fw <= 0 || fh <= 0 { // minimised
		time.Sleep(50 * time.Millisecond)
		return false, nil
	}
	if l.paused && !l.dirty && time.Since(l.lastRender) < 250*time.Millisecond {
		time.Sleep(15 * time.Millisecond)
		return false, nil
	}
	if gone, err := l.draw(fw, fh); gone || err != nil {
		return gone, err
	}
	if screenshot {
		if err := l.screenshot(); err != nil {
			return false, err
		}
	}
	frameTime := time.Since(t0)
	l.s.EndFrame(frameTime)
	return false, l.report(frame, fw, fh, frameTime, len(keys) > 0)
}

// keys applies the keys pressed since the last frame.
func (l *windowLoop) keys(keys []view.Key) (step, screenshot, quit bool, err error) {
	for _, k := range keys {
		l.dirty = true
		switch k {
		case view.KeyQuit:
			fmt.Fprintln(stdout, "view: quit")
			return false, false, true, nil
		case view.KeyPause:
			l.paused = !l.paused
		case view.KeyStep:
			step = true
		case view.KeyFaster:
			l.s.Pace = nil
			l.iters = min(l.iters*2, view.MaxItersPerFrame)
		case view.KeySlower:
			l.s.Pace = nil
			l.iters = max(l.iters/2, 1)
		case view.KeyRestart:
			l.seed++
			if err := l.s.Restart(l.seed); err != nil {
				return false, false, false, err
			}
		case view.KeyScreenshot:
			screenshot = true
		case view.KeyDensity:
			l.s.Renderer.Density = !l.s.Renderer.Density
		}
	}
	return step, screenshot, false, nil
}

// draw renders the frame and shows it; gone is true when the window was destroyed.
func (l *windowLoop) draw(fw, fh int) (gone bool, err error) {
	state := "running"
	if l.paused {
		state = "PAUSED (space resumes, → steps)"
	}
	info := l.s.Info(state, l.iters)
	footer := "keys: space pause · → step one frame\n+/− iterations per frame · r new seed\ns screenshot · f density view · q quit"
	if err := l.s.Renderer.Render(fw, fh, info, footer); err != nil {
		return false, err
	}
	if err := l.s.Renderer.Present(); errors.Is(err, view.ErrWindowGone) {
		fmt.Fprintln(stdout, "view: window closed")
		return true, nil
	} else if err != nil {
		return false, err
	}
	l.lastRender = time.Now()
	l.dirty = false
	return false, nil
}

// screenshot saves the frame just shown in --shots.
func (l *windowLoop) screenshot() error {
	img, err := l.s.Renderer.ReadImage()
	if err != nil {
		return err
	}
	l.shots++
	path := filepath.Join(l.vf.shots, fmt.Sprintf("kramers-view-%04d.png", l.shots))
	if err := view.SavePNG(path, img); err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	l.st.Screenshots = append(l.st.Screenshots, path)
	fmt.Fprintf(stdout, "view: screenshot %s\n", path)
	return nil
}

// report prints the mapping when it changed, keeps --status up to date (at most five times a
// second, and after keys) and prints a status line once a second.
func (l *windowLoop) report(frame, fw, fh int, frameTime time.Duration, keys bool) error {
	s, st := l.s, &l.st
	m := s.Renderer.Mapping(fw, fh)
	if m != l.lastMapping {
		l.lastMapping = m
		mj, _ := json.Marshal(m)
		fmt.Fprintf(stdout, "view: mapping %s\n", mj)
	}
	st.Iteration, st.Time = s.Iteration, float64(s.Iteration)*s.Problem.Config.LR
	st.Escaped, st.Diverged, st.Paused, st.Density = s.Escaped, s.Diverged, l.paused, s.Renderer.Density
	st.Seed, st.ItersPerFrame, st.ItersAuto, st.Frames = l.seed, l.iters, s.Pace != nil, frame+1
	st.FrameMillis, st.StepsPerSec, st.Mapping = float64(frameTime.Microseconds())/1000, s.StepRate(), m
	st.FrameBudget = s.Budget()
	e, at := s.Estimate()
	st.Rate, st.RateNote, st.RateIteration = e.Rate, e.Note, at
	if l.vf.status != "" && (keys || time.Since(l.lastStatus) > 200*time.Millisecond) {
		if err := writeStatus(l.vf.status, *st); err != nil {
			return err
		}
		l.lastStatus = time.Now()
	}
	if time.Since(l.lastLine) >= time.Second || keys {
		fmt.Fprintf(stdout, "view: iteration %d escaped %d diverged %d paused %t frame %.1f ms %.3g particle-steps/s; %s\n",
			st.Iteration, st.Escaped, st.Diverged, l.paused, st.FrameMillis, st.StepsPerSec, st.FrameBudget.Line())
		l.lastLine = time.Now()
	}
	return nil
}

func writeStatus(path string, st viewStatus) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return usageError{fmt.Errorf("--status %s: %v", path, err)}
	}
	return os.Rename(tmp, path)
}
