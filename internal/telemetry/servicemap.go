package telemetry

import "sort"

// ServiceMap is who calls whom, built from the spans in the ring: a service
// per service.name, a database per db.system.name, and "clients" for
// requests that arrived without a known caller.
type ServiceMap struct {
	Nodes []MapNode `json:"nodes"`
	Edges []MapEdge `json:"edges"`
}

// MapNode is a service, database or outside caller.
type MapNode struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // "service", "database", "queue", "external" or "clients"
}

// MapEdge aggregates the calls from one node to another.
type MapEdge struct {
	From   string  `json:"from"`
	To     string  `json:"to"`
	Calls  int     `json:"calls"`
	Errors int     `json:"errors"`
	AvgMS  float64 `json:"avg_ms"`
}

// ServiceMap derives the map from the spans in the ring.
func (r *Ring) ServiceMap() ServiceMap {
	spans := r.Spans()
	byID := make(map[string]Span, len(spans))
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	nodes := map[string]string{}
	type key struct{ from, to string }
	edges := map[key]*MapEdge{}
	add := func(from, to string, s Span) {
		e := edges[key{from, to}]
		if e == nil {
			e = &MapEdge{From: from, To: to}
			edges[key{from, to}] = e
		}
		e.AvgMS = (e.AvgMS*float64(e.Calls) + s.DurationMS) / float64(e.Calls+1)
		e.Calls++
		if s.Error {
			e.Errors++
		}
	}
	for _, s := range spans {
		nodes[s.Service] = "service"
		switch {
		case s.Kind == "server":
			p, ok := byID[s.ParentID]
			switch {
			case ok && p.Service != s.Service:
				add(p.Service, s.Service, s)
			case !ok:
				nodes["clients"] = "clients"
				add("clients", s.Service, s)
			}
		case s.Attributes["db.system.name"] != "":
			db := s.Attributes["db.system.name"]
			nodes[db] = "database"
			add(s.Service, db, s)
		case s.Kind == "producer" && s.Attributes["messaging.system"] != "":
			// The broker is a node of its own: publishes go to it, and
			// subscribers (consumer spans) take from it.
			q := s.Attributes["messaging.system"]
			nodes[q] = "queue"
			add(s.Service, q, s)
		case s.Kind == "consumer" && s.Attributes["messaging.system"] != "":
			q := s.Attributes["messaging.system"]
			nodes[q] = "queue"
			add(q, s.Service, s)
		case s.Kind == "client" && s.Attributes["server.address"] != "":
			peer := s.Attributes["server.address"]
			if _, isService := nodes[peer]; !isService {
				nodes[peer] = "external"
			}
			add(s.Service, peer, s)
		}
	}
	var m ServiceMap
	for n, k := range nodes {
		m.Nodes = append(m.Nodes, MapNode{Name: n, Kind: k})
	}
	for _, e := range edges {
		m.Edges = append(m.Edges, *e)
	}
	sort.Slice(m.Nodes, func(i, j int) bool { return m.Nodes[i].Name < m.Nodes[j].Name })
	sort.Slice(m.Edges, func(i, j int) bool {
		return m.Edges[i].From+m.Edges[i].To < m.Edges[j].From+m.Edges[j].To
	})
	return m
}
