/*
 * version.h: the authzc release, printed by `authzc --version`, written into
 * SARIF reports and promotion records, and read by the Makefile (authz.pc).
 */
#ifndef AUTHZC_VERSION_H
#define AUTHZC_VERSION_H

#define AUTHZC_VERSION "0.1.0"

#endif
