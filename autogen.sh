#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Generate configure and Makefile.in; the aux files go into build-aux/.
set -e
cd "$(dirname "$0")"
exec autoreconf -fi
