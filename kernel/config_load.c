// SPDX-License-Identifier: MIT
/* Boot-time config loading and checking (config_load.h). */
#include "kernel/cmdline.h"
#include "kernel/config_load.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/string.h"

#define CONFIG_MAX_SIZE (64 * 1024)

/* Drop guest @i when one of its files is not among the modules. */
static unsigned check_guest_files(struct config *cfg, unsigned i, const char *cfg_name,
				  const struct boot_module *mods, unsigned nmods)
{
	struct cfg_guest *g = &cfg->guests[i];
	const char *files[2] = { g->kernel, g->initrd };
	unsigned errors = 0;

	for (unsigned f = 0; f < 2; f++) {
		if (!files[f][0] || module_find(mods, nmods, files[f]))
			continue;
		printk(LOG_ERR, "config %s line %u: guest '%s': module '%s' was not loaded (missing file?)",
		       cfg_name, g->line, g->name, files[f]);
		errors++;
	}
	for (u32 d = 0; d < g->ndisks; d++) {
		if (module_find(mods, nmods, g->disks[d].file))
			continue;
		printk(LOG_ERR, "config %s line %u: guest '%s': disk '%s' was not loaded (missing file?)",
		       cfg_name, g->disks[d].line, g->name, g->disks[d].file);
		errors++;
	}
	return errors;
}

/* One line per device a guest is given, e.g. "guest linux disk root.img 33554432 bytes rw". */
static void report_devices(const struct cfg_guest *g, const struct boot_module *mods,
			   unsigned nmods)
{
	for (u32 d = 0; d < g->ndisks; d++) {
		const struct boot_module *m = module_find(mods, nmods, g->disks[d].file);

		printk(LOG_INFO, "guest %s disk %s %llu bytes %s", g->name, g->disks[d].file,
		       (unsigned long long)(m ? m->size : 0), g->disks[d].readonly ? "ro" : "rw");
	}
	for (u32 n = 0; n < g->nnics; n++) {
		const u8 *a = g->nics[n].mac;

		printk(LOG_INFO, "guest %s net %s mac %02x:%02x:%02x:%02x:%02x:%02x%s", g->name,
		       g->nics[n].sw, a[0], a[1], a[2], a[3], a[4], a[5],
		       g->nics[n].mac_given ? "" : " (derived)");
	}
	if (g->rng)
		printk(LOG_INFO, "guest %s rng", g->name);
	if (g->console == CFG_CONSOLE_HVC)
		printk(LOG_INFO, "guest %s console hvc", g->name);
}

static unsigned check_files(struct config *cfg, const char *cfg_name,
			    const struct boot_module *mods, unsigned nmods)
{
	unsigned errors = 0, keep = 0;

	for (unsigned i = 0; i < cfg->nguests; i++) {
		unsigned e = check_guest_files(cfg, i, cfg_name, mods, nmods);

		if (e)
			printk(LOG_ERR, "guest '%s' will not start", cfg->guests[i].name);
		else
			report_devices(&cfg->guests[i], mods, nmods);
		if (!e)
			cfg->guests[keep++] = cfg->guests[i];
		errors += e;
	}
	cfg->nguests = keep;
	return errors;
}

/* guests/hv.cfg, built into the kernel (build/kernel/default_cfg.c). */
extern const unsigned char default_config[];
extern const unsigned int default_config_len;

/*
 * No config was given: use the built-in one (the default config of the
 * boot media). Its guests start if their files were loaded.
 */
static unsigned use_builtin(struct config *cfg, const struct boot_module *mods,
			    unsigned nmods)
{
	struct cfg_error err;

	if (config_parse((const char *)default_config, default_config_len, cfg, &err)) {
		printk(LOG_ERR, "built-in config line %u: %s", err.line, err.msg);
		return 1;
	}
	printk(LOG_INFO, "config built-in: %u guest(s)", cfg->nguests);
	return check_files(cfg, "built-in", mods, nmods);
}

unsigned config_load(const char *cmdline, const struct boot_module *mods,
		     unsigned nmods, struct config *cfg)
{
	char name[BOOT_MOD_NAME_MAX];
	const struct boot_module *m;
	struct cfg_error err;

	config_defaults(cfg);
	if (!cmdline_get(cmdline, "config", name, sizeof(name))) {
		printk(LOG_INFO, "config: none named on the command line: the built-in config");
		return use_builtin(cfg, mods, nmods);
	}
	m = module_find(mods, nmods, name);
	if (!m) {
		printk(LOG_ERR, "config %s: not found among the boot modules: the built-in config", name);
		return 1 + use_builtin(cfg, mods, nmods);
	}
	if (m->size > CONFIG_MAX_SIZE) {
		printk(LOG_ERR, "config %s: %llu bytes is too large (max %u): built-in defaults (no guests)",
		       name, (unsigned long long)m->size, CONFIG_MAX_SIZE);
		return 1;
	}
	if (config_parse(phys_to_virt(m->base), m->size, cfg, &err)) {
		printk(LOG_ERR, "config %s line %u: %s: built-in defaults (no guests)", name, err.line, err.msg);
		return 1;
	}
	printk(LOG_INFO, "config %s: %u bytes, %u guest(s)", name, (unsigned)m->size, cfg->nguests);
	return check_files(cfg, name, mods, nmods);
}
