/** Hookguard's own helpers. Not part of the API: may change in any release. */
package dev.hookguard.internal;
