/** What Mautic and Malcolm! payload parsing have in common: its failure. */
package dev.hookguard.payload;
