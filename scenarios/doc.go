// Package scenarios reads podpath scenarios: real Kubernetes/OpenShift
// manifests plus a small podpath header for what manifests do not say
// (the AWS side, the network settings and the traffic). It is the only
// place where the real API types (k8s.io/api; openshift/api route/v1,
// apps/v1, template/v1) meet the model: objects are decoded with them —
// strictly, as kubectl does — defaulted and validated as the API server
// would, Templates processed as `oc process` would, and converted into
// model types. The format is described in docs/scenarios.md.
//
// The package also embeds the built-in library (shop, api-ingress,
// canary, …) and holds the command registry (command.go): every command
// type's name, Go type, decoder, validation, oc equivalent and doc line;
// the apply command's object is real Kubernetes/OpenShift JSON.
//
// Parsing is atomic: an error returns nothing else and is a *ParseError
// (wrapping model.ErrInvalid) naming the document, the object, the line
// and the field. Unknown kinds and unsupported fields are not errors but
// Warnings, for the user to see. Everything here is safe for concurrent
// use; results are the caller's own copies.
//
// # Usage
//
//	sc, warnings, err := scenarios.Load("shop")     // a built-in scenario
//	sc, warnings, err = scenarios.Parse(yamlBytes)  // a user's file or `oc get … -o yaml`
//	res, err := scenarios.ParseWithOptions(data, scenarios.Options{
//		Parameters: map[string]string{"NAME": "site"}, // a Template's, as oc process -p
//	}) // res.Scenario, res.Warnings, res.Templates
//	for _, w := range warnings {
//		log.Print(w) // "document 3 (Route shop/web), line 12: spec.httpHeaders: not simulated"
//	}
//	sim, err := model.New(sc)
//
//	for _, info := range scenarios.List() { // for a picker: name, title, description
//		fmt.Println(info.Name, info.Title)
//	}
//
//	cmd, err := scenarios.DecodeCommand(body) // POST /api/commands, "apply" included
//	err = sim.Apply(cmd)
//	line := scenarios.OC(cmd, body, sim)      // "oc scale deployment/shop -n shop --replicas=6"
package scenarios
