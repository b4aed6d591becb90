package web

import (
	"strconv"
	"strings"
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
	return strconv.FormatInt(p.Count, 10)
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
