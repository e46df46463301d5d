# SPDX-License-Identifier: GPL-2.0-or-later
"""pytest plugin for running FRR's topotests on this project's test hosts.

Loaded with ``-p multinic_lib.pytest_plugin`` (tests/run-topotests does it).

The memory-leak report
----------------------
Under FRR's ``--memleaks`` (which tests/run-topotests always gives), FRR's
leak check is extended by ``multinic_lib.memleaks`` (known leaks listed
there pass, daemons restarted by watchfrr are read too), and the run's
summary lists the known leaks seen; see that module.

The kernel without /proc/modules
--------------------------------
Our test kernel is built without loadable-module support, so it has no
/proc/modules. FRR's ``lib/topotest.py:module_present_linux()`` opens that
file unconditionally and raises FileNotFoundError; it is called from
``diagnose_env()`` (conftest's pytest_configure, so every run aborts), from
``Topogen.__init__`` and from ``Router.startRouter``/``daemon_available`` for
MPLS/LDP.

We replace that one function here, at plugin import time, i.e. before
conftest.py's pytest_configure calls diagnose_env(). FRR's files are never
edited. The alternatives were rejected:

* a private mount namespace with an empty file bind-mounted on /proc/modules
  cannot work: the bind-mount target must exist, and nothing can be created
  in procfs; mounting something over all of /proc would hide the /proc/<pid>
  and /proc/sys trees topotests rely on;
* answering "present" for everything would make topotests believe MPLS is
  available and fail later when /proc/sys/net/mpls is missing.

The replacement keeps FRR's behaviour wherever /proc/modules exists and
otherwise answers from sysfs: /sys/module/<name> exists for every loaded
module and for built-in ones that have parameters or a version; built-in
modules without either are listed in /lib/modules/$(uname -r)/modules.builtin
when that file is installed. With no module support, modprobe cannot load
anything, so "not present" is the truthful answer (MPLS tests then skip, as
FRR intends on hosts without MPLS).
"""

import logging
import os
import platform
import subprocess

import pytest

logger = logging.getLogger(__name__)


def _sysfs_module_present(module, load):
    name = module.replace("-", "_")
    if os.path.isdir(os.path.join("/sys/module", name)):
        return True
    moddir = os.path.join("/lib/modules", platform.release())
    builtin = os.path.join(moddir, "modules.builtin")
    try:
        with open(builtin, encoding="utf-8") as f:
            for line in f:
                base = os.path.basename(line.strip())
                if base.split(".ko")[0].replace("-", "_") == name:
                    return True
    except OSError:
        pass
    if not os.path.isdir(moddir):
        # No modules for this kernel: modprobe can only fail, noisily.
        return False
    args = ["/sbin/modprobe", "-q"] + ([] if load else ["-n"]) + [module]
    return subprocess.call(args) == 0


def _install_module_present_shim():
    try:
        from lib import topotest  # FRR's; resolved through PYTHONPATH=<run dir>
    except ImportError as error:  # pragma: no cover - misconfigured run
        raise ImportError(
            "multinic_lib.pytest_plugin needs FRR's tests/topotests on "
            "PYTHONPATH (use tests/run-topotests): {}".format(error)
        ) from error

    if getattr(topotest.module_present_linux, "_multinic_shim", False):
        return
    original = topotest.module_present_linux

    def module_present_linux(module, load):
        if os.path.exists("/proc/modules"):
            return original(module, load)
        return _sysfs_module_present(module, load)

    module_present_linux._multinic_shim = True
    module_present_linux.__doc__ = original.__doc__
    # module_present() looks the name up in the module globals at call time.
    topotest.module_present_linux = module_present_linux


_install_module_present_shim()


# trylast: after conftest.py's pytest_configure (which sets
# TOPOTESTS_CHECK_MEMLEAK under --memleaks).
@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    config.addinivalue_line(
        "markers", "multinicd: Tests that run against MULTINICD (frr-multinic)"
    )
    if config.getoption("memleaks", default=False):
        from multinic_lib import memleaks  # pylint: disable=import-outside-toplevel

        memleaks.install(config)


def pytest_terminal_summary(terminalreporter, config):
    if not config.getoption("memleaks", default=False):
        return
    from multinic_lib import memleaks  # pylint: disable=import-outside-toplevel

    terminalreporter.section("memory-leak report (multinic_lib.memleaks)")
    for line in memleaks.summary_lines():
        terminalreporter.line(line)
