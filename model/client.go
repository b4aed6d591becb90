package model

import (
	"fmt"
	"strconv"
)

// This file holds the traffic sources: Internet clients (browsers and curl)
// and their open connections.

// client is one traffic source. Browsers keep a cookie jar and a
// keep-alive connection; curl opens a new connection (and resolves DNS
// anew) for every request and keeps no cookies.
type client struct {
	ID      string
	hop     string // "client:<id>"
	dns     string // IP:53001, its resolver port
	Kind    string
	IP      string
	Port    int
	Cookies map[string]string // cookie name → server id
	Conn    *clientConn
}

// clientConn is a browser's open connection: through one LB node to one
// worker and router (and, for passthrough, one pod).
type clientConn struct {
	Zone     string
	Node     string
	Router   string
	Host     string
	HTTPS    bool
	PassPod  string
	LastUsed int64
	Src      string
}

func (c *client) clone() *client {
	cp := *c
	cp.Cookies = cloneValues(c.Cookies)
	if c.Conn != nil {
		conn := *c.Conn
		cp.Conn = &conn
	}
	return &cp
}

func (c *client) hopID() string {
	if c.hop == "" {
		c.hop = "client:" + c.ID
	}
	return c.hop
}

func (c *client) dnsAddr() string {
	if c.dns == "" {
		c.dns = c.IP + ":53001"
	}
	return c.dns
}

func (c *client) nextSrc() string {
	c.Port++
	if c.Port > 60999 || c.Port < 32768 {
		c.Port = 32768
	}
	return c.IP + ":" + strconv.Itoa(c.Port)
}

// clientFor returns the client with this kind and index, creating it.
func (s *Sim) clientFor(kind string, i int) *client {
	id := kind + "-" + strconv.Itoa(i)
	if c := s.clients[id]; c != nil {
		return c
	}
	// RFC 5737 documentation addresses: browsers 203.0.113.0/24, curl
	// 198.51.100.0/24, further clients in 100.64.0.0/10 style blocks.
	var ip string
	switch {
	case kind == "browser" && i < 250:
		ip = fmt.Sprintf("203.0.113.%d", i+2)
	case i < 250:
		ip = fmt.Sprintf("198.51.100.%d", i+2)
	default:
		base := 0
		if kind == "browser" {
			base = 32
		}
		ip = fmt.Sprintf("100.%d.%d.%d", 64+base+i/65536%32, i/256%256, i%256)
	}
	c := &client{ID: id, Kind: kind, IP: ip, Port: 32768 + s.rng.IntN(20000), Cookies: map[string]string{}}
	s.clients[id] = c
	return c
}
