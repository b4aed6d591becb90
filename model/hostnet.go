package model

import "fmt"

// This file holds the data path to a pod that may use its node's network
// (hostNetwork: true). Such a pod has no veth and no Calico address: its
// IP is the node's, so a packet to it is routed to the node over the VPC
// like any node-to-node packet, never encapsulated; and between nodes it
// passes the AWS security groups, which an installer-made cluster opens
// only for some ports (openshift-docs, installing on AWS with
// CloudFormation, the "Worker Ingress" and "Master Ingress" tables:
// TCP 9000–9999 internal cluster communication, 10250 kubelet,
// 30000–32767 NodePorts). NetworkPolicy does not apply to host-networked
// pods.

// HostNetworkPortOpen reports whether the installer's security groups let
// TCP port through between two cluster nodes.
func HostNetworkPortOpen(port int) bool {
	return (port >= 9000 && port <= 9999) || port == 10250 || (port >= 30000 && port <= 32767)
}

// toPod is the data path from a pod on node from to target's port: the
// Calico encapsulation and, when the packet cannot arrive, why.
func (s *Sim) toPod(from *node, target *pod, port int) (encap, dropped string) {
	var to *node
	if target != nil {
		to = s.nodeByName(target.Node)
	}
	if target == nil || !target.HostNetwork {
		return s.podToPod(from, to)
	}
	if from == nil || to == nil || from.Name == to.Name || HostNetworkPortOpen(port) {
		return "", ""
	}
	return "", fmt.Sprintf("pod %s uses hostNetwork, so port %d is a port of node %s itself, and the cluster's AWS security groups open only TCP 9000–9999, 10250 and 30000–32767 between nodes, so the packet from %s is dropped (use a port in 9000–9999, or the pod network)", target.Key, port, to.Name, from.Name)
}

// toPodNote explains the data path toPod found.
func (s *Sim) toPodNote(from *node, target *pod, encap, dropped string) string {
	var to *node
	if target != nil {
		to = s.nodeByName(target.Node)
	}
	switch {
	case target == nil || !target.HostNetwork:
		return s.encapNote(from, to, encap, dropped)
	case dropped != "":
		return "AWS security group: " + dropped + "."
	case from != nil && to != nil && from.Name == to.Name:
		return fmt.Sprintf("hostNetwork pod %s listens on its node %s's own IP %s: the packet stays on the node, no veth and no Calico hop.", target.Key, to.Name, target.IP)
	}
	return fmt.Sprintf("hostNetwork pod %s listens on node %s's own IP %s: no Calico hop (no veth, no VXLAN); the packet is routed to the node over the VPC, and the security groups open this port between nodes.", target.Key, to.Name, target.IP)
}
