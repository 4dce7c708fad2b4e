// Package rehearse owns `peakshop rehearse`: the load generator and a chaos
// experiment run together against a shop (a running one, or one it starts
// itself as separate serve and worker processes behind fault proxies), and
// then an audit of what the shop's database, the payment provider's ledger
// and the dead-letter stream say happened: every accepted order reached a
// terminal state, no SKU was oversold, no order was charged twice, and no
// dead letter is left without an injected fault to explain it.
//
// The report joins the load timeline, the fault windows, the alarms that
// fired and the (fixed) fleet on one time axis, with the SLO verdicts, the
// audit and a cost estimate (internal/rehearse/report).
//
// It sits with the composition root (layer 7), not beside the shop with
// loadgen and chaos: the audit must read the shop's own records through the
// store (sqlstore's Audit* reads), the payment simulator's ledger and the
// JetStream dead-letter stream, which the stacks beside the shop may not
// import. The traffic and the faults still reach the shop only over HTTP,
// TCP and NATS, through loadgen and chaos.
package rehearse
