package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/podpath/podpath/model"
)

// The oc equivalents' pieces, for the command registry (command.go).

// ingressOperator is the namespace of the IngressControllers.
const ingressOperator = "openshift-ingress-operator"

// shellPlain is what a POSIX shell reads as one word without quotes.
var shellPlain = regexp.MustCompile(`^[A-Za-z0-9_./:=@%+,-]+$`)

// shq quotes s for a POSIX shell (single quotes) unless it is plain.
func shq(s string) string {
	if shellPlain.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// jsonText is v as JSON, as a patch or a number shows it.
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the values here always encode
	return strings.TrimSuffix(b.String(), "\n")
}

// obj is a JSON object whose keys keep their order (a patch reads as
// the API documents it).
type obj []kv

type kv struct {
	k string
	v any
}

// MarshalJSON implements json.Marshaler.
func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(jsonText(e.k) + ":" + jsonText(e.v))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// patch is `-p '<json>'` of a merge patch.
func patch(v any) string { return shq(jsonText(v)) }

func ocLoadBalancer(c model.SetLoadBalancer, _ OCContext) string {
	var out []string
	if c.LBType != nil {
		aws := obj{{"type", "AWS"}, {"aws", obj{{"type", *c.LBType}}}}
		lb := obj{{"scope", "External"}, {"providerParameters", aws}}
		strategy := obj{{"type", "LoadBalancerService"}, {"loadBalancer", lb}}
		out = append(out,
			fmt.Sprintf("oc patch ingresscontroller/default -n %s --type=merge -p %s", ingressOperator, patch(obj{{"spec", obj{{"endpointPublishingStrategy", strategy}}}})),
			"# the load balancer is recreated: new DNS name, minutes of disruption")
	}
	if c.CrossZone != nil {
		out = append(out, fmt.Sprintf("# cross-zone load balancing is an attribute of the AWS load balancer (off as OpenShift creates it)\noc annotate service/router-default -n openshift-ingress service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled=%t --overwrite", *c.CrossZone))
	}
	return strings.Join(out, "\n")
}

// calicoPool is the IPPool modes of a podpath encapsulation setting.
var calicoPool = map[string]obj{
	"VXLAN":            {{"vxlanMode", "Always"}, {"ipipMode", "Never"}},
	"IPIP":             {{"ipipMode", "Always"}, {"vxlanMode", "Never"}},
	"VXLANCrossSubnet": {{"vxlanMode", "CrossSubnet"}, {"ipipMode", "Never"}},
	"IPIPCrossSubnet":  {{"ipipMode", "CrossSubnet"}, {"vxlanMode", "Never"}},
	"None":             {{"vxlanMode", "Never"}, {"ipipMode", "Never"}},
}

func ocNetwork(c model.SetNetwork, _ OCContext) string {
	var out []string
	if c.Encapsulation != nil {
		out = append(out, "oc patch ippool/default-ipv4-ippool --type=merge -p "+patch(obj{{"spec", calicoPool[*c.Encapsulation]}}))
	}
	if c.KubeProxyMode != nil {
		args := obj{{"proxy-mode", []string{*c.KubeProxyMode}}}
		out = append(out, "oc patch network.operator.openshift.io/cluster --type=merge -p "+patch(obj{{"spec", obj{{"kubeProxyConfig", obj{{"proxyArguments", args}}}}}}))
	}
	if c.SourceDestCheck != nil {
		no := "no-"
		if *c.SourceDestCheck {
			no = ""
		}
		out = append(out, "# per worker instance:\naws ec2 modify-instance-attribute --instance-id <id> --"+no+"source-dest-check")
	}
	if c.SecurityGroupsAllowIPIPAndBGP != nil {
		verb := "revoke"
		if *c.SecurityGroupsAllowIPIPAndBGP {
			verb = "authorize"
		}
		out = append(out, fmt.Sprintf("# between the nodes' security group and itself: IP protocol 4 (IP-in-IP) and TCP 179 (BGP)\naws ec2 %s-security-group-ingress --group-id <sg> --ip-permissions IpProtocol=4,UserIdGroupPairs=[{GroupId=<sg>}] IpProtocol=tcp,FromPort=179,ToPort=179,UserIdGroupPairs=[{GroupId=<sg>}]", verb))
	}
	if c.LocalWithFallback != nil {
		does := "ignores"
		if *c.LocalWithFallback {
			does = "honours"
		}
		out = append(out, "# no oc command: whether kube-proxy "+does+" the ingress operator's annotation on router-default is a property of its build (OpenShift version)\noc get service router-default -n openshift-ingress -o jsonpath='{.metadata.annotations.traffic-policy\\.network\\.alpha\\.openshift\\.io/local-with-fallback}'")
	}
	return strings.Join(out, "\n")
}

// firstURL is the first Internet client's URL of mix, or of the live
// mix when mix is empty.
func firstURL(mix []model.TrafficMix, at OCContext) string {
	if len(mix) == 0 && at != nil {
		mix = at.Traffic().Mix
	}
	for _, m := range mix {
		if m.From == "" {
			return m.URL
		}
	}
	return "https://<route host>/"
}

// ocApply is `oc apply -f -` with the command's object as YAML, its keys
// in the order the command gave them.
func ocApply(_ model.Command, raw []byte, _ OCContext) string {
	var cmd struct {
		Object json.RawMessage `json:"object"`
	}
	text := "# the object as JSON\n"
	if json.Unmarshal(raw, &cmd) == nil {
		if y, err := objectYAML(cmd.Object); err == nil {
			text = y
		}
	}
	return "oc apply -f - <<'EOF'\n" + text + "EOF"
}

// objectYAML writes a JSON object as block-style YAML, keeping its key
// order (JSON is YAML: its node keeps the order; only the style changes).
func objectYAML(data []byte) (string, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return "", err
	}
	blockStyle(&n)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(&n); err != nil {
		return "", err
	}
	return b.String(), enc.Close()
}

// blockStyle clears the flow style and quotes JSON gave every node; the
// encoder quotes the strings that need it.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// sortedStrings sorts names in place and returns them.
func sortedStrings(names []string) []string {
	sort.Strings(names)
	return names
}
