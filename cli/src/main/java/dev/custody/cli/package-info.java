/**
 * The {@code custody} command (picocli): parses options, calls the library, prints text or JSON. An
 * application: it exports nothing.
 */
package dev.custody.cli;
