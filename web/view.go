package web

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/podpath/podpath/model"
)

// Assets are the URL paths of the page's script and stylesheet, usually
// static.URL("js/app.js") and static.URL("app.css").
type Assets struct {
	JS  string
	CSS string
}

// ClockView is the simulation clock as the stream reports it:
// virtual time, whether it runs, and how fast.
type ClockView struct {
	TimeMs int64   `json:"timeMs"`
	Paused bool    `json:"paused"`
	Speed  float64 `json:"speed"`
}

// InitialState is the payload of the page's "initial-state" JSON script. It
// has the shape of the stream's snapshot payload, so the scripts treat it
// as the first snapshot.
type InitialState struct {
	// State is the snapshot, for clusters of at most PageStateMaxPods
	// pods; nil (absent) for larger ones, whose state comes with the
	// socket's first message (the server-rendered topology shows until
	// then). It keeps the page of a large cluster light: on `large` the
	// snapshot is ~115 KB of JSON.
	State *model.Snapshot `json:"state,omitempty"`
	Clock ClockView       `json:"clock"`
	// BasePath prefixes every API and socket URL of the page's room: ""
	// for the default room, /r/{id} for the others.
	BasePath string `json:"basePath"`
	// Room is the page's room (static/js/room.js).
	Room RoomInit `json:"room"`
}

// PageView is everything Page prints, computed from one snapshot.
type PageView struct {
	Title       string
	Cluster     string // one line: name, OpenShift version, region
	Assets      Assets
	Clock       ClockView
	SimTime     string
	Speeds      []SpeedOption
	Topology    TopologyView
	Deployments []DeploymentControl
	Metrics     MetricsView
	Initial     InitialState
	ClusterView ClusterView
	// Scenarios is the scenario picker, import and export panel; the
	// caller fills it (NewScenarioPanel), since a snapshot does not say
	// which scenarios exist.
	Scenarios ScenarioPanel
	// TraceURL is the inspector's first URL: the first Internet URL of
	// the traffic mix, else the first Route's host. It rides on the trace
	// button (data-url): the inspector's markup is static (Panels).
	TraceURL string
	// Room is the page's room: the default one, or a shared /r/{id}.
	Room RoomView
}

// SpeedOption is one choice of the speed control.
type SpeedOption struct {
	Value    string
	Label    string
	Selected bool
}

// DeploymentControl is one Deployment's scale control.
type DeploymentControl struct {
	ID       string // namespace/name
	Replicas int    // desired
	Ready    int
	// Command is the command type that scales it: "scale", or
	// "scaleRouters" for the default IngressController's routers.
	Command string
}

// The default IngressController's Deployment: it scales through the
// IngressController (command scaleRouters), not as a plain Deployment.
const routerDeployment = "openshift-ingress/router-default"

// MetricsView is the metrics panel.
type MetricsView struct {
	Requests int64
	Codes    []CodeCount
	Pods     []PodShare
}

// CodeCount is how many requests ended with one status code.
type CodeCount struct {
	Code  string
	Count int64
}

// PodShare is one app pod's share of all requests.
type PodShare struct {
	Pod     string // namespace/name
	Label   string
	Count   int64
	Percent int
}

// PageStateMaxPods is the largest cluster (in pods) whose snapshot and
// per-pod share bars the page carries; above it the scripts fill both
// from the socket's snapshot and metrics.
const PageStateMaxPods = 64

// NewPageView builds the page's view model from a snapshot. It never fails:
// missing parts of the snapshot are drawn empty.
func NewPageView(s model.Snapshot, clock ClockView, assets Assets) PageView {
	if clock.Speed <= 0 {
		clock.Speed = 1
	}
	name := s.Cluster.Name
	if name == "" {
		name = "cluster"
	}
	return PageView{
		Title:       "podpath — " + name,
		Cluster:     clusterLine(s.Cluster),
		Assets:      assets,
		Clock:       clock,
		SimTime:     SimTime(clock.TimeMs),
		Speeds:      speedOptions(clock.Speed),
		Topology:    newTopology(s),
		Deployments: deploymentControls(s.Deployments),
		Metrics:     newMetrics(s),
		Initial:     InitialState{State: initialSnapshot(s), Clock: clock, Room: RoomInit{ID: "local", Open: true}},
		Room:        RoomView{ID: "local", Open: true},
		ClusterView: newClusterView(s),
		TraceURL:    traceURL(s),
	}
}

// initialSnapshot is the snapshot the page carries: all of it for a small
// cluster, none for a large one (see PageStateMaxPods).
func initialSnapshot(s model.Snapshot) *model.Snapshot {
	if len(s.Pods) > PageStateMaxPods {
		return nil
	}
	return &s
}

func clusterLine(c model.ClusterInfo) string {
	parts := []string{}
	for _, p := range []string{c.Name, versioned(c.OpenShiftVersion), c.Region} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

func versioned(v string) string {
	if v == "" {
		return ""
	}
	return "OpenShift " + v
}

// SimTime formats virtual milliseconds as the page shows them:
// "12.3 s" under a minute, "2:05.3" above.
func SimTime(ms int64) string {
	if ms < 0 {
		ms = 0
	}
	tenths := ms / 100
	if ms < 60_000 {
		return fmt.Sprintf("%d.%d s", tenths/10, tenths%10)
	}
	secs := tenths / 10
	return fmt.Sprintf("%d:%02d.%d", secs/60, secs%60, tenths%10)
}

var speeds = []float64{0.1, 0.25, 0.5, 1, 2, 5, 10}

func speedOptions(current float64) []SpeedOption {
	best := 0
	for i, v := range speeds {
		if abs(v-current) < abs(speeds[best]-current) {
			best = i
		}
	}
	out := make([]SpeedOption, len(speeds))
	for i, v := range speeds {
		val := strconv.FormatFloat(v, 'f', -1, 64)
		out[i] = SpeedOption{Value: val, Label: val + "×", Selected: i == best}
	}
	return out
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// deploymentControls lists the apps' Deployments first, the routers last.
func deploymentControls(ds []model.DeploymentView) []DeploymentControl {
	out := make([]DeploymentControl, 0, len(ds))
	for _, d := range ds {
		c := DeploymentControl{ID: d.Namespace + "/" + d.Name, Replicas: d.Replicas, Ready: d.ReadyReplicas, Command: "scale"}
		if c.ID == routerDeployment {
			c.Command = "scaleRouters"
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b DeploymentControl) int {
		return cmpBool(a.Command == "scaleRouters", b.Command == "scaleRouters")
	})
	return out
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}

func newMetrics(s model.Snapshot) MetricsView {
	m := MetricsView{Requests: s.Metrics.Requests}
	for _, code := range slices.Sorted(maps.Keys(s.Metrics.StatusCodes)) {
		m.Codes = append(m.Codes, CodeCount{Code: code, Count: s.Metrics.StatusCodes[code]})
	}
	if len(s.Pods) > PageStateMaxPods {
		return m // the share bars come with the first metrics (render.js)
	}
	var total int64
	for _, p := range s.Pods {
		if !p.Router {
			total += s.Metrics.ByPod[podID(p)]
		}
	}
	for _, p := range s.Pods {
		if p.Router {
			continue
		}
		n := s.Metrics.ByPod[podID(p)]
		m.Pods = append(m.Pods, PodShare{Pod: podID(p), Label: podLabel(p), Count: n, Percent: percent(n, total)})
	}
	return m
}

func percent(n, total int64) int {
	if total <= 0 {
		return 0
	}
	return int((n*100 + total/2) / total)
}

func podID(p model.PodView) string { return p.Namespace + "/" + p.Name }

// podLabel is a pod's short name: its owner and the name's last segment,
// "shop·x2k4q", so that it fits a pod box; the full name is in the tooltip.
func podLabel(p model.PodView) string {
	owner := p.Owner
	if p.Router && owner == "" {
		owner = "router"
	}
	if owner == "" || !strings.HasPrefix(p.Name, owner) {
		return truncate(p.Name, 14)
	}
	suffix := p.Name[strings.LastIndexByte(p.Name, '-')+1:]
	if owner == "router-default" {
		owner = "router"
	}
	return truncate(owner, 8) + "·" + truncate(suffix, 6)
}

// truncate shortens s to at most n runes, ending with "…" when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	return string(r[:n-1]) + "…"
}

// podPhase is the state a pod box shows: Terminating, Pending, NotReady
// (running but failing readiness) or Ready.
func podPhase(p model.PodView) string {
	switch {
	case p.Terminating:
		return "Terminating"
	case p.Phase != "Running":
		return "Pending"
	case !p.Ready:
		return "NotReady"
	default:
		return "Ready"
	}
}

// statusGlyph is the symbol that repeats a pod's state without colour.
func statusGlyph(state string) string {
	switch state {
	case "Terminating":
		return "↓"
	case "Pending":
		return "…"
	case "NotReady":
		return "✗"
	default:
		return "✓"
	}
}

func selectorText(sel map[string]string) string {
	if len(sel) == 0 {
		return "(no selector)"
	}
	parts := make([]string, 0, len(sel))
	for _, k := range slices.Sorted(maps.Keys(sel)) {
		parts = append(parts, k+"="+sel[k])
	}
	return strings.Join(parts, ",")
}
