package web

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Small formatting helpers the templates call.

func num(v int) string { return strconv.Itoa(v) }

func visibleIf(ok bool) string {
	if ok {
		return "visible"
	}
	return "hidden"
}

func overflowText(n int) string {
	if n <= 0 {
		return ""
	}
	return "+" + strconv.Itoa(n) + " more pods"
}

func podKind(router bool) string {
	if router {
		return "router"
	}
	return "app"
}

// podRadius gives app pods round corners and router pods square ones, so
// the two differ by shape as well as colour.
func podRadius(router bool) string {
	if router {
		return "1"
	}
	return "12"
}

// podCount is the number a pod box shows: the requests it served. Router
// pods serve none themselves, so theirs stays empty unless counted.
func podCount(p PodBox) string {
	if p.Router && p.Count == 0 {
		return ""
	}
	return compactCount(p.Count)
}

// podName is the name a pod box shows: its label, shortened to leave
// room for its count, the owner before "·" first (the suffix tells pods
// apart), then the end. A rough rule for the first paint; render.js
// refits the name to the font drawn.
func podName(p PodBox) string {
	r := []rune(p.Label)
	room := 12 - utf8.RuneCountInString(podCount(p))
	if len(r) <= room {
		return p.Label
	}
	if i := strings.IndexRune(p.Label, '·'); i > 0 {
		tail := []rune(p.Label[i:])
		if keep := room - len(tail) - 1; keep >= 1 {
			return string(r[:keep]) + "…" + string(tail)
		}
	}
	return truncate(p.Label, room)
}

// compactCount keeps a pod's counter short enough not to run into its
// name: 999, 1.2k, 12k, 1.2M (the same as compactCount in render.js).
func compactCount(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 10_000:
		return strconv.FormatFloat(float64(n/100)/10, 'f', -1, 64) + "k"
	case n < 1_000_000:
		return strconv.FormatInt(n/1000, 10) + "k"
	default:
		return strconv.FormatFloat(float64(n/100_000)/10, 'f', -1, 64) + "M"
	}
}

func podTitle(p PodBox) string {
	parts := []string{p.ID, p.IP, p.State}
	if p.Router {
		parts = append(parts, "HAProxy router")
	}
	return strings.Join(parts, " · ")
}

func dnsAnswerText(a DNSAnswer) string {
	text := "→ " + a.Text
	if a.Zone != "" {
		text += "  " + a.Zone
	}
	return text
}

func healthText(ok bool) string {
	if ok {
		return "healthy"
	}
	return "unhealthy"
}

func healthGlyph(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// nodeState is a node's status line: the Kubernetes condition, and the
// instance when it is down but the condition has not caught up yet (the
// node-monitor grace period). static/js/render.js has the same rule.
func nodeState(ready, up bool) string {
	switch {
	case !ready:
		return "✗ NotReady"
	case !up:
		return "✗ down · still Ready"
	default:
		return "Ready"
	}
}
