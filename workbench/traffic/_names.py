"""Offline name lists for the PERSON detector.

``FIRST_NAMES`` is a hand-picked list of common given names (English, German, French, Spanish,
Italian, Dutch, Polish, Indian, Chinese and Arabic romanisations). Names that are also ordinary
English words or places (Will, May, Mark, Bill, Grace, June, Paris, Chase, ...) are left out on
purpose: they cost more precision than they bring recall. ``NOT_SURNAMES`` are capitalised words
that often follow a name or a greeting but are not part of one.
"""

from __future__ import annotations

FIRST_NAMES: frozenset[str] = frozenset(
    """
    Aaron Abdul Adam Adrian Ahmed Aisha Alan Albert Alejandro Alex Alexander Alexandra Ali Alice
    Alicia Amanda Amelia Amir Amy Ana Andrea Andreas Andrew Angela Anita Ann Anna Anne Annika
    Anthony Antoine Antonio Arjun Arthur Ashley Barbara Ben Benjamin Bernard Beth Brian Bruno
    Camille Carlos Carmen Caroline Catherine Charles Charlotte Chen Chloe Chris Christian
    Christina Christine Christopher Claire Claudia Daniel Daniela David Deborah Diana Diego
    Dmitri Dominik Dorothy Edward Elena Elif Elizabeth Ella Emily Emma Eric Erik Fatima Felix
    Fernando Fiona Francesca Francesco Francisco Franziska Gabriel Gabriele Gary George Georg
    Giulia Giuseppe Hannah Hans Harry Helen Helena Henrik Henry Hiroshi Hugo Ian Ibrahim Ines
    Isabel Isabella Ivan Jacob James Jan Jane Janet Jason Javier Jean Jennifer Jens Jessica Joanna
    Johan Johanna John Jonas Jonathan Jorge Jose José Joseph Joshua Juan Julia Julian Julie
    Jürgen Karen Karim Katarzyna Kate Katharina Katherine Kathleen Kevin Klaus Laura Lauren Laurent
    Lea Leon Leonie Linda Lisa Lorenzo Louis Louise Luca Lucas Lucia Luis Lukas Manuel Marco
    Margaret Maria María Marie Marina Mario Martin Mary Matteo Matthew Matthias Max Maximilian Mehmet Mei
    Melanie Michael Michelle Miguel Mohamed Mohammed Monika Nadia Nancy Natalia Nathalie Nicholas Nicolas
    Nicole Niklas Nina Noah Olga Oliver Olivia Omar Pablo Patricia Patrick Paul Paula Pedro Peter
    Petra Philippe Pierre Piotr Priya Rachel Rahul Raj Rebecca Richard Robert Roberto Ryan
    Sabine Sam Samantha Samuel Sandra Sara Sarah Sebastian Sergio Simon Sofia Sophia Sophie
    Stefan Stefanie Stephanie Steven Susan Sven Thomas Tim Timothy Tobias Tom Tomasz Ursula
    Valentina Vanessa Vincent Wei Wolfgang Xavier Yuki Yusuf Zoe Zoé Lars Ingrid Astrid Mateo
    Lucía Valeria Camila Sofía Elías Hélène Émilie François Thierry Sylvie Isabelle Nathan
    Léa Manon Chiara Alessandro Federica Pieter Sanne Daan Agnieszka Magdalena Anil Deepak
    Sanjay Ananya Li Ming Jun Yan Hassan Layla Youssef Kenji Sakura Oscar Emil Freya Maja
    """.split()
) - {"Max"}

NOT_SURNAMES: frozenset[str] = frozenset(
    """
    A An The I We You He She It They My Our Your This That These Those Hi Hello Hey Dear Thanks
    Thank Regards Best Cheers Kind Sincerely Tallyo Support Team Customer Customers Sir Madam
    Pro Starter Free Enterprise Plan Plans Settings Billing Invoices Invoice Reports Export
    Stripe PayPal Admin Owner Accountant Viewer Please Can Could Would Is Are Do Does How What
    When Where Why Who Which And Or But So If On In At For From To Of With By As Just Also
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Ltd Inc GmbH Corp Co LLC SARL Bank
    VAT API CSV PDF Team's Here There Ok OK Yes No Not Now Today Tomorrow Again Still Help
    Sorry Good Morning Afternoon Evening Bonjour Hallo Hola Grüße Gruß Merci Gracias Danke
    Street Road Avenue Lane Drive Account Accounts Manager Owner's
    """.split()
)
