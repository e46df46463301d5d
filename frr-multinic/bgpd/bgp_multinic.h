// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_multinic: what its files share.
 */
#ifndef _BGP_MULTINIC_H
#define _BGP_MULTINIC_H

#define BGP_MULTINIC_VERSION "0.3.0"

/*
 * "debug bgp multinic": set in the configuration (written to the running
 * config) or for this terminal session only, as bgpd's own debugs are.
 */
extern bool mn_debug_conf, mn_debug_term;
#define MN_DEBUG (mn_debug_conf || mn_debug_term)

/*
 * Reading what multinicd sends (prefix: u8 family, u8 length, 4 or 16
 * bytes; string: u8 length, bytes): false when malformed.
 */
struct stream;
struct prefix;
extern bool mn_get_prefix(struct stream *s, struct prefix *p);
extern bool mn_get_string(struct stream *s, char *buf, size_t size);

#endif /* _BGP_MULTINIC_H */
