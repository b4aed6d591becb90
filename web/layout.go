package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/podpath/podpath/model"
)

// The topology's fixed geometry, in SVG user units. The left column holds
// the Internet, DNS and the Route/Service cards; the AWS region to its
// right holds one lane per AZ: the public subnet with the load balancer's
// node, the private subnet with the worker nodes and their pod slots.
const (
	viewW = 1200

	leftX = 12
	leftW = 230

	regionX     = 254
	regionRight = 1190
	laneX       = regionX + 6
	laneRight   = regionRight - 6
	laneY0      = 66
	laneGap     = 8
	laneTitleH  = 20

	lbX  = 266
	lbW  = 160
	prvX = 438
	prvR = 1180

	subnetLabelH = 20
	nodeHeaderH  = 44
	nodeGap      = 10

	slotW   = 128
	slotH   = 46
	slotGap = 6
	portH   = 24

	minRows  = 2
	maxRows  = 4
	minSlots = 8

	lineH = 18
)

// Rect is a box in SVG user units.
type Rect struct{ X, Y, W, H int }

// Right is the box's right edge.
func (r Rect) Right() int { return r.X + r.W }

// Bottom is the box's bottom edge.
func (r Rect) Bottom() int { return r.Y + r.H }

// CX is the box's horizontal centre.
func (r Rect) CX() int { return r.X + r.W/2 }

// CY is the box's vertical centre.
func (r Rect) CY() int { return r.Y + r.H/2 }

// Line is a straight guide line between two points.
type Line struct{ X1, Y1, X2, Y2 int }

// TextLine is one line of text at a position.
type TextLine struct {
	X, Y  int
	Text  string
	Class string
}

// TopologyView is the SVG: every box already placed.
type TopologyView struct {
	Width, Height int
	Region        Rect
	RegionLabel   string
	NetworkLabel  string
	Internet      Rect
	DNS           DNSBox
	LB            LBView
	Lanes         []LaneView
	Band          BandView
	Edges         []Line
	// AppPodTemplate and RouterPodTemplate are empty pod boxes the scripts
	// clone for pods that appear after the first paint.
	AppPodTemplate    PodBox
	RouterPodTemplate PodBox
	// Settings are the settings the labels were drawn with (settingsKey);
	// static/js/render.js refetches the topology when the state's differ.
	Settings string
}

// DNSBox is the wildcard record and its answer, one line per LB node.
type DNSBox struct {
	Rect
	Record  string
	Answers []DNSAnswer
}

// DNSAnswer is one load balancer node's IP and whether DNS returns it.
type DNSAnswer struct {
	TextLine
	Zone  string
	InDNS bool
}

// LBView is the AWS load balancer: a title and one node per AZ.
type LBView struct {
	Title string
	Nodes []LBNodeBox
	Spine Line
}

// LBNodeBox is the load balancer's node in one AZ with the targets there.
type LBNodeBox struct {
	Rect
	Zone    string
	IP      string
	InDNS   bool
	Targets []LBTargetRow
}

// LBTargetRow is one registered worker node and its health.
type LBTargetRow struct {
	X, Y    int
	Node    string
	Label   string
	Healthy bool
	Passing bool
}

// LaneView is one availability zone.
type LaneView struct {
	Rect
	Zone         string
	ControlPlane string
	Public       Rect
	Private      Rect
	PrivateLabel string
	Nodes        []NodeBox
}

// NodeBox is one worker node: its header, its NodePort (the hop
// endpoint), its router slot and its grid of app pod slots.
type NodeBox struct {
	Rect
	Name       string
	Zone       string
	IP         string
	Blocks     string
	Ready      bool // the Kubernetes NodeReady condition
	Up         bool // the instance runs
	NodePort   Rect
	PortLabel  string
	RouterSlot Rect
	Slots      []Rect
	Pods       []PodBox
	Overflow   int
}

// PodBox is one pod drawn in a slot.
type PodBox struct {
	Rect
	ID     string // namespace/name
	Name   string
	Label  string
	IP     string
	Node   string
	Phase  string
	State  string // Ready, NotReady, Pending, Terminating
	Ready  bool
	Router bool
	Count  int64
	Slot   string // "r" for the router slot, else the grid index
}

// BandView is the logical band: Route and Service cards, looked up inside
// the router rather than visited.
type BandView struct {
	Rect
	Routes   []RouteCard
	Services []ServiceCard
	Links    []Line
}

// RouteCard is one Route.
type RouteCard struct {
	Rect
	ID       string
	Host     string
	HostFull string
	Lines    []string
	Admitted bool
}

// ServiceCard is one Service with its ready endpoints.
type ServiceCard struct {
	Rect
	ID        string
	Lines     []string
	Ready     int
	Total     int
	Endpoints string
}

// The nominal stage the layout is fitted to: the diagram's box on a
// 1280×720 window, whose aspect ratio the 1920×1080 one shares.
const (
	stageW = 1000
	stageH = 620
)

// fit is how far a w×h diagram is scaled to fit the nominal stage.
func fit(w, h int) float64 { return min(float64(stageW)/float64(w), float64(stageH)/float64(h)) }

// Where the Route and Service cards go.
const (
	bandLeft  = iota // one column under DNS (the classic picture)
	bandBelow        // rows under the AWS region, as many cards a row as fit
	bandRight        // columns right of the AWS region, as tall as it
)

// layout is one way to arrange the picture: where the band of Route and
// Service cards goes. It depends only on the set of nodes, Routes and
// Services, never on the pods, so scaling never moves what is drawn.
type layout struct {
	place int // bandLeft, bandBelow or bandRight
}

func newTopology(s model.Snapshot) TopologyView {
	t := build(s, layout{})
	// When the cards in one column would make the picture much taller than
	// the AWS region (many Routes and Services), try the cards in rows under
	// the region or in columns beside it, and keep the layout that draws
	// largest on the stage. Nodes keep their width: wider nodes would draw
	// more pods, and the page's weight grows with every pod drawn.
	if t.Band.Bottom()+12 > t.Region.Bottom()+8+40 {
		best, bestFit := t, fit(t.Width, t.Height)
		for _, place := range []int{bandBelow, bandRight} {
			if u := build(s, layout{place: place}); fit(u.Width, u.Height) > bestFit+0.005 {
				best, bestFit = u, fit(u.Width, u.Height)
			}
		}
		t = best
	}
	return t
}

// workersOf groups the worker nodes by zone and counts the control-plane
// nodes; perZone is the most workers in any zone (at least 1).
func workersOf(s model.Snapshot) (workers map[string][]model.NodeView, control map[string]int, perZone int) {
	workers, control, perZone = map[string][]model.NodeView{}, map[string]int{}, 1
	for _, n := range s.Nodes {
		if n.Role == "control-plane" || n.Role == "master" {
			control[n.Zone]++
			continue
		}
		workers[n.Zone] = append(workers[n.Zone], n)
		perZone = max(perZone, len(workers[n.Zone]))
	}
	return workers, control, perZone
}

// defaultNodeW is a node's width when the region is the default width.
func defaultNodeW(perZone int) int { return (prvR - prvX - 16 - (perZone-1)*nodeGap) / perZone }

// gridX is where a node's pod grid starts, from its left edge.
const gridX = 8 + slotW + 14

func build(s model.Snapshot, lo layout) TopologyView {
	t := TopologyView{Width: viewW, Internet: Rect{leftX, 12, leftW, 120}}
	t.RegionLabel = regionLabel(s.Cluster)
	t.NetworkLabel = networkLabel(s.Network)
	t.Settings = settingsKey(s)

	zones := zonesOf(s)
	workers, control, perZone := workersOf(s)

	nodeW := defaultNodeW(perZone)
	cols := max(1, (nodeW-gridX-8+slotGap)/(slotW+slotGap))
	rows := min(maxRows, max(minRows, (minSlots+cols-1)/cols))
	nodeH := nodeHeaderH + rows*slotH + (rows-1)*slotGap + 10
	subnetH := subnetLabelH + nodeH + 8
	laneH := laneTitleH + subnetH + 6

	podsOn := map[string][]model.PodView{}
	for _, p := range s.Pods {
		podsOn[p.Node] = append(podsOn[p.Node], p)
	}

	y := laneY0
	for _, z := range zones {
		lane := LaneView{Rect: Rect{laneX, y, laneRight - laneX, laneH}, Zone: z}
		if c := control[z]; c > 0 {
			lane.ControlPlane = fmt.Sprintf("+ %d control-plane node%s", c, plural(c))
		}
		lane.Public = Rect{lbX, y + laneTitleH, lbW, subnetH}
		lane.Private = Rect{prvX, y + laneTitleH, prvR - prvX, subnetH}
		lane.PrivateLabel = "private subnet"
		for i, n := range workers[z] {
			if i == 0 && n.Subnet != "" {
				lane.PrivateLabel += " " + n.Subnet
			}
			r := Rect{prvX + 8 + i*(nodeW+nodeGap), lane.Private.Y + subnetLabelH, nodeW, nodeH}
			lane.Nodes = append(lane.Nodes, newNodeBox(n, r, cols, rows, s, podsOn[n.Name]))
		}
		t.Lanes = append(t.Lanes, lane)
		y += laneH + laneGap
	}
	lanesBottom := max(y-laneGap, laneY0+laneH)
	t.Region = Rect{regionX, 6, regionRight - regionX, lanesBottom + 8 - 6}

	t.DNS = newDNSBox(s, t.Internet.Bottom()+14)
	t.LB = newLB(s, t.Lanes)
	switch lo.place {
	case bandBelow:
		t.Band = newBand(s, bandGrid{x: leftX, y: max(t.Region.Bottom(), t.DNS.Bottom()) + 36, right: t.Region.Right()})
	case bandRight:
		t.Band = newBand(s, bandGrid{x: t.Region.Right() + 12, y: t.Region.Y + 22, bottom: t.Region.Bottom()})
	default:
		t.Band = newBand(s, bandGrid{x: leftX, y: t.DNS.Bottom() + 36})
	}
	t.Edges = edges(s, t)
	t.Width = max(t.Region.Right(), t.Band.Right()) + 10
	t.Height = max(t.Region.Bottom()+8, t.Band.Bottom()+12)

	t.AppPodTemplate = PodBox{Rect: Rect{0, 0, slotW, slotH}, State: "Pending", Phase: "Pending"}
	t.RouterPodTemplate = PodBox{Rect: Rect{0, 0, slotW, slotH}, State: "Pending", Phase: "Pending", Router: true}
	return t
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func regionLabel(c model.ClusterInfo) string {
	parts := []string{"AWS"}
	if c.Region != "" {
		parts = append(parts, c.Region)
	}
	label := strings.Join(parts, " ")
	if c.VPCCIDR != "" {
		label += " — VPC " + c.VPCCIDR
	}
	return label
}

// settingsKey joins the settings the page's labels show (the load
// balancer's type and cross-zone, the Calico mode, kube-proxy, the
// OpenShift version); render.js settingsKey builds the same string.
func settingsKey(s model.Snapshot) string {
	return fmt.Sprintf("%s|%t|%s|%s|%s", s.LoadBalancer.Type, s.LoadBalancer.CrossZone, s.Network.Encapsulation, s.Network.KubeProxyMode, s.Cluster.OpenShiftVersion)
}

func networkLabel(n model.NetworkView) string {
	var parts []string
	if n.CNI != "" {
		cni := n.CNI
		if n.Encapsulation != "" {
			cni += " " + n.Encapsulation
		}
		if n.BlockSize > 0 {
			cni += fmt.Sprintf(" (/%d blocks)", n.BlockSize)
		}
		parts = append(parts, cni)
	}
	if n.KubeProxyMode != "" {
		parts = append(parts, "kube-proxy "+n.KubeProxyMode)
	}
	return strings.Join(parts, " · ")
}

// zonesOf lists the AZs: the cluster's zones in order, then any other zone
// a node or the load balancer names, sorted.
func zonesOf(s model.Snapshot) []string {
	zones := slices.Clone(s.Cluster.Zones)
	var extra []string
	add := func(z string) {
		if !slices.Contains(zones, z) && !slices.Contains(extra, z) {
			extra = append(extra, z)
		}
	}
	for _, n := range s.Nodes {
		add(n.Zone)
	}
	for _, z := range s.LoadBalancer.Zones {
		add(z.Zone)
	}
	slices.Sort(extra)
	return append(zones, extra...)
}

func newNodeBox(n model.NodeView, r Rect, cols, rows int, s model.Snapshot, pods []model.PodView) NodeBox {
	nb := NodeBox{
		Rect:   r,
		Name:   n.Name,
		Zone:   n.Zone,
		IP:     n.IP,
		Blocks: strings.Join(n.PodCIDRBlocks, " "),
		Ready:  n.Ready,
		Up:     n.InstanceUp,
	}
	top := r.Y + nodeHeaderH
	nb.NodePort = Rect{r.X + 8, top, slotW, portH}
	nb.PortLabel = "NodePort"
	if p := s.LoadBalancer.HTTPSNodePort; p > 0 {
		nb.PortLabel = "NodePort :" + strconv.Itoa(p)
	}
	nb.RouterSlot = Rect{r.X + 8, top + portH + slotGap, slotW, slotH}
	gx := r.X + 8 + slotW + 14
	for row := range rows {
		for col := range cols {
			nb.Slots = append(nb.Slots, Rect{gx + col*(slotW+slotGap), top + row*(slotH+slotGap), slotW, slotH})
		}
	}
	routerTaken := false
	next := 0
	for _, p := range pods {
		box := newPodBox(p, s.Metrics.ByPod[podID(p)])
		switch {
		case p.Router && !routerTaken:
			routerTaken = true
			box.Rect, box.Slot = nb.RouterSlot, "r"
		case next < len(nb.Slots):
			box.Rect, box.Slot = nb.Slots[next], strconv.Itoa(next)
			next++
		default:
			nb.Overflow++
			continue
		}
		nb.Pods = append(nb.Pods, box)
	}
	return nb
}

func newPodBox(p model.PodView, count int64) PodBox {
	return PodBox{
		ID:     podID(p),
		Name:   p.Name,
		Label:  podLabel(p),
		IP:     p.IP,
		Node:   p.Node,
		Phase:  p.Phase,
		State:  podPhase(p),
		Ready:  p.Ready,
		Router: p.Router,
		Count:  count,
	}
}

func newDNSBox(s model.Snapshot, y int) DNSBox {
	d := DNSBox{Record: s.DNS.Record}
	if d.Record == "" && s.Cluster.IngressDomain != "" {
		d.Record = "*." + s.Cluster.IngressDomain
	}
	ly := y + 62
	seen := map[string]bool{}
	for _, z := range s.LoadBalancer.Zones {
		seen[z.IP] = true
		d.Answers = append(d.Answers, DNSAnswer{TextLine: TextLine{leftX + 12, ly, z.IP, ""}, Zone: z.Zone, InDNS: z.InDNS})
		ly += lineH
	}
	for _, ip := range s.DNS.Answer {
		if !seen[ip] {
			d.Answers = append(d.Answers, DNSAnswer{TextLine: TextLine{leftX + 12, ly, ip, ""}, InDNS: true})
			ly += lineH
		}
	}
	d.Rect = Rect{leftX, y, leftW, ly - y + 2}
	return d
}

func newLB(s model.Snapshot, lanes []LaneView) LBView {
	lb := s.LoadBalancer
	typ := lb.Type
	if typ == "" {
		typ = "Classic"
	}
	lv := LBView{Title: "AWS load balancer · " + typ}
	if lb.CrossZone {
		lv.Title += " · cross-zone on"
	} else {
		lv.Title += " · cross-zone off"
	}
	byZone := map[string]model.LBZoneView{}
	for _, z := range lb.Zones {
		byZone[z.Zone] = z
	}
	for _, lane := range lanes {
		z, ok := byZone[lane.Zone]
		if !ok {
			continue
		}
		nb := LBNodeBox{Rect: Rect{lbX + 8, lane.Public.Y + 22, lbW - 16, 46}, Zone: z.Zone, IP: z.IP, InDNS: z.InDNS}
		ty := nb.Bottom() + 18
		for _, tg := range lb.Targets {
			if tg.Zone != lane.Zone {
				continue
			}
			nb.Targets = append(nb.Targets, LBTargetRow{X: nb.X + 2, Y: ty, Node: tg.Node, Label: truncate(shortNode(tg.Node), 15), Healthy: tg.Healthy, Passing: tg.Passing})
			ty += lineH
		}
		lv.Nodes = append(lv.Nodes, nb)
	}
	if len(lv.Nodes) > 1 {
		first, last := lv.Nodes[0], lv.Nodes[len(lv.Nodes)-1]
		lv.Spine = Line{first.Right() + 4, first.CY(), last.Right() + 4, last.CY()}
	}
	return lv
}

// shortNode drops the DNS suffix of an EC2 node name.
func shortNode(name string) string {
	if i := strings.IndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}

// Card text: the title's baseline sits cardTitleY below the card's top,
// then one line of text every lineH.
const cardTitleY = 22

// lineY is the baseline of a card's text line i (0 is the title).
func lineY(card Rect, i int) int { return card.Y + cardTitleY + i*lineH }

// bandGrid is where the band's cards go: from (x, y), the first card's
// top, in one column; in rows up to right when right > 0 (the Services
// start a new row); in columns down to bottom when bottom > 0.
type bandGrid struct{ x, y, right, bottom int }

// bandGap is the space between two cards.
const bandGap = 10

// next is where a card of height h goes after the one at (x, y) with
// height ph, in a grid whose rows start at y0.
func (g bandGrid) next(x, y, ph, h, y0 int, rowH *int) (int, int) {
	switch {
	case g.right > 0:
		*rowH = max(*rowH, ph)
		if x+leftW+bandGap+leftW <= g.right {
			return x + leftW + bandGap, y
		}
		y, *rowH = y+*rowH+bandGap, 0
		return g.x, y
	case g.bottom > 0 && y+ph+bandGap+h > g.bottom:
		return x + leftW + bandGap, y0
	}
	return x, y + ph + bandGap
}

func newBand(s model.Snapshot, g bandGrid) BandView {
	b := BandView{Rect: Rect{X: g.x, Y: g.y - 22, W: leftW}}
	type link struct {
		svc  string
		card Rect
		y    int
	}
	var links []link
	var cards []*Rect
	x, y, rowH := g.x, g.y, 0
	var prev *Rect
	place := func(r *Rect) {
		if prev != nil {
			x, y = g.next(prev.X, prev.Y, prev.H, r.H, g.y, &rowH)
		}
		r.X, r.Y = x, y
		prev = r
		cards = append(cards, r)
	}
	for _, r := range s.Routes {
		c := RouteCard{ID: r.Namespace + "/" + r.Name, HostFull: r.Host, Host: truncate(r.Host, 27), Admitted: r.Admitted}
		c.Lines = routeLines(r)
		c.Rect = Rect{W: leftW, H: cardTitleY + (len(c.Lines)+1)*lineH + 10}
		place(&c.Rect)
		first := len(c.Lines) - len(r.To)
		for i, to := range r.To {
			// Lines follow the title and the host: line k is text line k+2.
			links = append(links, link{r.Namespace + "/" + to.Service, c.Rect, lineY(c.Rect, first+i+2) - 5})
		}
		b.Routes = append(b.Routes, c)
	}
	if g.right > 0 && prev != nil {
		// The Services start a row of their own.
		rowH = max(rowH, prev.H)
		x, y, prev = g.x, y+rowH+bandGap, nil
	}
	svc := map[string]Rect{}
	for _, sv := range s.Services {
		c := ServiceCard{ID: sv.Namespace + "/" + sv.Name}
		c.Lines = []string{servicePorts(sv), "selector " + truncate(selectorText(sv.Selector), 20)}
		for _, e := range sv.Endpoints {
			c.Total++
			if e.Ready {
				c.Ready++
			}
		}
		c.Endpoints = endpointsText(c.Ready, c.Total)
		c.Rect = Rect{W: leftW, H: cardTitleY + (len(c.Lines)+1)*lineH + 10}
		place(&c.Rect)
		svc[c.ID] = c.Rect
		b.Services = append(b.Services, c)
	}
	for _, l := range links {
		sc, ok := svc[l.svc]
		if !ok {
			continue
		}
		sy := lineY(sc, 0) - 5
		switch {
		case sc.X > l.card.X: // a column to the right: right edge → left edge
			b.Links = append(b.Links, Line{l.card.Right(), l.y, sc.X, sy})
		case sc.X < l.card.X: // a column to the left: left edge → right edge
			b.Links = append(b.Links, Line{l.card.X, l.y, sc.Right(), sy})
		default: // the same column: along the right edge
			b.Links = append(b.Links, Line{l.card.Right(), l.y, sc.Right(), sy})
		}
	}
	right, bottom := g.x+leftW, g.y-bandGap
	for _, c := range cards {
		right, bottom = max(right, c.Right()), max(bottom, c.Bottom())
	}
	b.W, b.H = right-b.X, bottom+bandGap-b.Y
	return b
}

// linkPath is a band link's curve: it leaves and enters the cards'
// edges sideways, bulging into the gutter when both ends are on one side.
func linkPath(l Line) string {
	d1, d2 := 10, 10
	switch {
	case l.X2 > l.X1:
		d1, d2 = 20, -20
	case l.X2 < l.X1:
		d1, d2 = -20, 20
	}
	return fmt.Sprintf("M%d %d C%d %d %d %d %d %d", l.X1, l.Y1, l.X1+d1, l.Y1, l.X2+d2, l.Y2, l.X2, l.Y2)
}

// routeLines are a Route card's lines under its title and host.
func routeLines(r model.RouteView) []string {
	path := r.Path
	if path == "" {
		path = "/"
	}
	tls := "TLS none"
	if r.TLS != nil {
		tls = "TLS " + r.TLS.Termination
		if p := r.TLS.InsecureEdgeTerminationPolicy; p != "" {
			tls += " (http: " + strings.ToLower(p) + ")"
		}
	}
	balance := r.Balance
	if balance == "" {
		balance = "default"
	}
	if r.Cookies {
		balance += " · cookies"
	}
	lines := []string{"path " + truncate(path, 8) + " · " + tls, "balance " + balance}
	if !r.Admitted {
		reason := "not admitted"
		if r.Reason != "" {
			reason += ": " + r.Reason
		}
		lines = append(lines, truncate(reason, 30))
	}
	var sum int
	for _, to := range r.To {
		sum += to.Weight
	}
	for _, to := range r.To {
		line := "→ svc " + truncate(to.Service, 16)
		if len(r.To) > 1 {
			line += fmt.Sprintf(" · %d%%", percent(int64(to.Weight), int64(sum)))
		}
		lines = append(lines, line)
	}
	return lines
}

func endpointsText(ready, total int) string {
	return fmt.Sprintf("endpoints %d/%d ready", ready, total)
}

func servicePorts(sv model.ServiceView) string {
	if len(sv.Ports) == 0 {
		return sv.ClusterIP
	}
	p := sv.Ports[0]
	text := fmt.Sprintf("%s:%d → %s", sv.ClusterIP, p.Port, p.TargetPort)
	if n := len(sv.Ports) - 1; n > 0 {
		text += fmt.Sprintf(" +%d", n)
	}
	return text
}

// edges are the faint guide lines of the golden path: Internet → each LB
// node, and each LB node → the NodePort of the targets it may pick.
func edges(s model.Snapshot, t TopologyView) []Line {
	var out []Line
	ports := map[string]NodeBox{}
	for _, lane := range t.Lanes {
		for _, n := range lane.Nodes {
			ports[n.Name] = n
		}
	}
	for _, lbn := range t.LB.Nodes {
		out = append(out, Line{t.Internet.Right(), t.Internet.CY(), lbn.X, lbn.CY()})
		for _, tg := range s.LoadBalancer.Targets {
			if tg.Zone != lbn.Zone && !s.LoadBalancer.CrossZone {
				continue
			}
			if n, ok := ports[tg.Node]; ok {
				out = append(out, Line{lbn.Right(), lbn.CY(), n.NodePort.X, n.NodePort.CY()})
			}
		}
	}
	out = append(out, Line{t.Internet.CX(), t.Internet.Bottom(), t.DNS.CX(), t.DNS.Y})
	return out
}
