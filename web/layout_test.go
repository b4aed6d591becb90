package web

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/podpath/podpath/model"
)

// withCards adds n Routes and n Services (one Route per Service), like
// the large scenario.
func withCards(s model.Snapshot, n int) model.Snapshot {
	for i := range n {
		name := fmt.Sprintf("app%02d", i)
		s.Routes = append(s.Routes, model.RouteView{Namespace: "shop", Name: name, Host: name + ".apps.demo.example.com", Admitted: true, To: []model.RouteTargetView{{Service: name, Weight: 100}}})
		s.Services = append(s.Services, model.ServiceView{Namespace: "shop", Name: name, ClusterIP: fmt.Sprintf("172.30.0.%d", i+1), Selector: map[string]string{"app": name}})
	}
	return s
}

func cardRects(t TopologyView) map[string]Rect {
	out := map[string]Rect{}
	for _, r := range t.Band.Routes {
		out["route:"+r.ID] = r.Rect
	}
	for _, s := range t.Band.Services {
		out["svc:"+s.ID] = s.Rect
	}
	return out
}

func overlap(a, b Rect) bool {
	return a.X < b.Right() && b.X < a.Right() && a.Y < b.Bottom() && b.Y < a.Bottom()
}

func TestFewCardsKeepTheClassicLayout(t *testing.T) {
	tv := newTopology(withCards(testSnapshot(4), 1))
	assert.Equal(t, viewW, tv.Width)
	assert.Equal(t, leftX, tv.Band.X)
	assert.Equal(t, regionRight, tv.Region.Right())
}

func TestManyCardsFitTheStage(t *testing.T) {
	s := withCards(testSnapshot(40), 20)
	classic := build(s, layout{})
	tv := newTopology(s)
	assert.Greater(t, fit(tv.Width, tv.Height), 2*fit(classic.Width, classic.Height), "the cards leave their one column")
	assert.GreaterOrEqual(t, fit(tv.Width, tv.Height), 0.33)

	cards := cardRects(tv)
	require.Len(t, cards, 42) // and the shop Route and Service
	fixed := []Rect{tv.Region, tv.Internet, tv.DNS.Rect}
	for id, r := range cards {
		assert.LessOrEqual(t, r.Right(), tv.Width, id)
		assert.LessOrEqual(t, r.Bottom(), tv.Height, id)
		for _, f := range fixed {
			assert.False(t, overlap(r, f), "%s overlaps %v", id, f)
		}
		for id2, r2 := range cards {
			if id < id2 {
				assert.False(t, overlap(r, r2), "%s overlaps %s", id, id2)
			}
		}
	}
	assert.Len(t, tv.Band.Links, 21, "every Route is linked to its Service")
}

// The layout depends on the nodes, Routes and Services, never on the pods:
// scaling moves nothing already drawn, cards included.
func TestScalingNeverMovesAnythingWithManyCards(t *testing.T) {
	place := func(replicas int) map[string]Rect {
		tv := newTopology(withCards(testSnapshot(replicas), 20))
		out := cardRects(tv)
		for _, lane := range tv.Lanes {
			for _, n := range lane.Nodes {
				out["node:"+n.Name] = n.Rect
				for _, p := range n.Pods {
					out["pod:"+p.ID] = p.Rect
				}
			}
		}
		out["view"] = Rect{0, 0, tv.Width, tv.Height}
		return out
	}
	small, big := place(4), place(40)
	for id, r := range small {
		assert.Equal(t, r, big[id], id)
	}
}
