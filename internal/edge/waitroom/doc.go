// Package waitroom owns the virtual waiting room for flash sales. Above a
// configured number of active shoppers, new visitors get a ticket (a
// numbered place in line) and a waiting page with their position and an
// estimated wait; tickets are admitted strictly in order as shoppers leave
// or go idle. Tickets and admissions travel in an HMAC-signed cookie, so
// they cannot be forged or reordered, and an admitted shopper is never
// turned away afterwards (not at checkout, not when the room fills up).
//
// Hand-written: the hosted products that do this are services, not
// libraries, and the state is small (a counter pair and one timestamp per
// active shopper). The line is per edge process; several edges share one
// line only if they share this state, which a later Redis variant can do.
package waitroom
