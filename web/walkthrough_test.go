package web

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPageHasTheWalkthroughPlayer(t *testing.T) {
	doc := panelDoc(t) // the player's markup loads with it (Panels)
	for _, id := range []string{
		"wt-open", "walkthrough", "wt-heading", "wt-close", "wt-progress", "wt-count", "wt-step-title", "wt-narration",
		"wt-steps", "wt-predict", "wt-question", "wt-choices", "wt-answer", "wt-verdict", "wt-explanation", "wt-send",
		"wt-back", "wt-next", "wt-restart", "wt-autoplay", "wt-clock", "wt-status", "callouts",
	} {
		assert.Len(t, byTestID(doc, id), 1, "data-testid=%q", id)
	}
	panel := byTestID(doc, "walkthrough")[0]
	_, hidden := attr(panel, "hidden")
	assert.True(t, hidden, "the player opens from the scripts (deep link, wt-open, a scenario with steps)")
	ms, _ := attr(panel, "data-autoplay-ms")
	assert.Equal(t, strconv.Itoa(WalkthroughAutoplayMs), ms)
	bar := byTestID(doc, "wt-progress")[0]
	for key, want := range map[string]string{"data-step": "0", "data-total": "0"} {
		got, _ := attr(bar, key)
		assert.Equal(t, want, got, key)
	}
	// Everything the player shows is written by the scripts as text.
	for _, id := range []string{"wt-narration", "wt-step-title", "wt-choices", "callouts"} {
		assert.Empty(t, text(byTestID(doc, id)[0]), id)
	}
}
