"""What the quick loop (`scripts/test.sh --quick`: pytest -m "not slow", SQLite only)
leaves to the full run, and why.

Tests that start servers, processes or a cluster of their own carry
`@pytest.mark.slow` themselves. The tests named here are marked `slow` when they
are collected (tests/conftest.py): real and worth running, but each takes from half
a second to several seconds on a busy machine, and together they were four fifths
of the quick loop's time. Every area keeps cheap tests in the quick loop: the rule
matrices of every service, the API's calls in both formats, SMTP, and one page or
two of each dashboard area; the full run (`scripts/test.sh`) runs all of them.
"""

from __future__ import annotations

# Long property tests: Hypothesis with 200 to 400 examples, or every character.
PROPERTIES = {
    "tests/unit/services/test_any_text.py": (
        "test_add_stores_any_text_or_names_the_field",
        "test_profile_set_stores_any_text_or_names_the_field",
    ),
    "tests/unit/test_dashboard_csrf.py": ("test_no_text_crashes_the_login_check",),
    "tests/unit/test_mail_messages.py": ("test_whatever_is_accepted_composes",),
    "tests/unit/test_mixed_scripts.py": (
        "test_add_rename_and_operator_refuse_a_mixed_name",
        "test_letters_of_one_script_with_digits_and_punctuation_are_accepted",
        "test_letters_of_two_scripts_in_one_part_are_refused",
    ),
    "tests/unit/test_renderers.py": (
        "test_json_rows_are_what_json_dumps_writes",
        "test_json_rows_read_back",
        "test_xml_rows_read_back",
    ),
    "tests/unit/test_usernames.py": (
        "test_an_invisible_character_is_named_as_such",
        "test_any_two_spellings_of_one_key_are_one_username",
        "test_no_invisible_character_is_ever_accepted",
        "test_second_spelling_of_a_customer_is_taken",
    ),
    "tests/unit/test_v3_body.py": ("test_whatever_is_accepted_builds",),
}

# Dashboard walks: each logs in over HTTP and goes through several pages and forms.
DASHBOARD_WALKS = {
    "tests/web/test_access.py": (
        "test_another_tenants_customer_is_not_found",
        "test_navigation_offers_exactly_a_logins_pages",
        "test_pages_outside_a_logins_rights_are_403_and_change_nothing",
    ),
    "tests/web/test_activity.py": ("test_the_audit_trail_filters_and_pages",),
    "tests/web/test_api_keys.py": (
        "test_another_account_s_key_is_not_found",
        "test_create_refusals_beside_their_fields",
        "test_create_shows_the_key_once_and_it_works",
        "test_delete_asks_first_then_the_key_stops_working",
        "test_every_scope_is_ticked_by_default",
        "test_rename_and_change_scopes",
        "test_the_created_page_has_a_copy_button_for_scripts_and_a_field_without",
    ),
    "tests/web/test_catalog.py": (
        "test_a_distributor_adds_and_removes_addresses_and_groups",
        "test_a_distributor_creates_a_package",
        "test_a_refused_package_says_why_in_the_labels_words",
        "test_another_distributors_package_is_like_an_unknown_one",
        "test_deleting_a_package_asks_first_and_is_refused_while_used",
        "test_refused_ip_changes_say_why_and_change_nothing",
    ),
    "tests/web/test_credentials.py": (
        "test_add_a_credential_with_permission_checkboxes",
        "test_add_errors_are_the_apis_beside_their_fields",
        "test_edit_keeps_the_password_when_it_is_left_empty",
        "test_edit_with_a_password_changes_it",
        "test_remove_asks_first_then_removes",
    ),
    "tests/web/test_csrf.py": (
        "test_every_page_masks_the_token_afresh_and_each_is_accepted",
        "test_login_form_expires_after_the_longest_session",
        "test_login_form_from_elsewhere_is_refused",
        "test_login_form_of_this_site_is_accepted",
        "test_login_form_without_its_token_is_refused_before_any_login",
        "test_logout_needs_the_token",
        "test_session_form_from_elsewhere_changes_nothing",
        "test_session_form_of_this_site_is_accepted",
        "test_session_form_without_the_right_token_changes_nothing",
    ),
    "tests/web/test_customer_list.py": (
        "test_columns_sort_both_ways_with_ties_in_the_order_added",
        "test_pages_are_numbered_and_counted",
        "test_percent_underscore_and_backslash_match_themselves",
        "test_search_finds_part_of_a_username_email_or_company_in_any_case",
    ),
    "tests/web/test_customer_plan.py": (
        "test_a_package_without_ip_addresses_is_refused_while_the_customer_has_some",
        "test_another_distributors_customer_is_not_found",
        "test_ip_groups_and_addresses_are_replaced_by_the_ones_ticked",
        "test_package_whitelabel_and_billing_date_change_and_are_audited",
        "test_refusals_say_why_beside_their_field_and_change_nothing",
    ),
    "tests/web/test_customers.py": (
        "test_a_customer_sees_its_remaining_credits",
        "test_a_distributor_sets_and_sees_a_customers_limit",
        "test_a_refused_form_is_shown_at_the_pages_own_address",
        "test_add_customer_shows_the_apis_errors_beside_their_fields",
        "test_add_customer_with_packages_and_ip_groups_as_choices",
        "test_delete_asks_first_then_deletes",
        "test_each_limit_task_has_a_form_with_only_its_fields",
        "test_limit_errors_are_the_apis_beside_their_fields",
        "test_profile_edit_sends_the_changed_fields_only",
        "test_profile_errors_are_the_apis_beside_their_fields",
        "test_rename_errors_are_the_apis",
        "test_sending_and_dashboard_access_switches",
        "test_the_customer_page_lists_its_credentials",
        "test_the_switches_take_no_other_method",
        "test_username_email_and_password_changes",
    ),
    "tests/web/test_login.py": (
        "test_a_new_login_replaces_the_browsers_old_session",
        "test_bad_logins_get_one_message_and_no_session",
        "test_each_kind_of_login_gets_a_session",
        "test_logins_and_refusals_are_audited_on_the_dashboard_surface",
        "test_right_passwords_that_may_not_use_the_dashboard_get_403",
        "test_the_login_page_warns_where_a_browser_drops_secure_cookies",
    ),
    "tests/web/test_own_password.py": (
        "test_a_distributor_changes_its_own_password",
        "test_the_same_rules_as_the_operators_and_the_current_password_first",
    ),
    "tests/web/test_pages.py": (
        "test_every_other_answer_carries_the_headers_too",
        "test_every_page_is_safe_and_labelled",
    ),
    "tests/web/test_presentation.py": (
        "test_errors_use_the_labels_words_and_the_api_keeps_its_own",
    ),
    "tests/web/test_sender_domains.py": (
        "test_a_bad_domain_is_refused_beside_the_box_and_nothing_changes",
        "test_an_empty_box_allows_any_sender",
        "test_no_change_without_the_forms_token_nor_for_another_distributors_customer",
    ),
    "tests/web/test_sessions.py": (
        "test_a_credential_change_ends_its_session",
        "test_a_customer_change_ends_its_credentials_sessions",
        "test_a_customer_change_ends_its_session",
        "test_a_hash_upgraded_at_login_keeps_the_session",
        "test_disabling_a_distributor_ends_its_and_its_credentials_sessions",
        "test_idle_sessions_end_after_30_minutes",
        "test_logout_ends_that_session_only",
        "test_own_password_change_keeps_this_session_and_ends_the_others",
        "test_own_password_change_needs_the_current_password",
        "test_session_cookie_values_are_never_json_or_guessable",
        "test_sessions_end_12_hours_after_login_however_busy",
        "test_sessions_survive_a_restart",
        "test_timeouts_follow_their_settings",
    ),
}

# Throttling: dozens of failed logins (and their writes) each, on a database of their own.
THROTTLING = {
    "tests/api/test_v3_access.py": (
        "test_bad_keys_count_in_the_account_s_budget",
        "test_bad_keys_count_in_the_network_s_budget",
    ),
    "tests/mail/test_auth_http.py": (
        "test_bad_credentials_are_one_answer_with_auth_wait_for_early_attempts",
        "test_client_ip_is_the_address_audited_and_throttled",
    ),
    "tests/mail/test_auth_http_attempt.py": (
        "test_an_attempt_that_is_not_ascii_digits_counts_as_the_first",
        "test_ascii_digits_still_count",
    ),
    "tests/mail/test_smtp_throttle.py": (
        "test_a_refused_right_password_is_not_a_failure",
        "test_a_throttled_session_sends_nothing",
        "test_api_failures_lock_the_smtp_login",
        "test_smtp_failures_lock_the_api_login",
    ),
    "tests/unit/test_login_cache.py": ("test_failures_never_fill_the_cache",),
    "tests/unit/test_throttle.py": (
        "test_a_known_client_keeps_working_during_an_attack",
        "test_a_quiet_window_after_a_backoff_starts_over",
        "test_a_success_clears_only_its_own_pairs_failures",
        "test_a_trusted_pair_is_not_exempt_from_its_own_failures",
        "test_accounts_are_case_insensitive_keys_given_lowercased",
        "test_attempts_during_backoff_do_not_extend_it",
        "test_backoff_doubles_up_to_fifteen_minutes",
        "test_failures_outside_the_window_do_not_count",
        "test_one_budget_for_every_process",
        "test_one_network_trying_many_usernames_is_slowed",
        "test_success_resets_the_count",
        "test_trust_does_not_lift_the_network_lock_for_other_accounts",
    ),
    "tests/web/test_throttle.py": (
        "test_api_and_dashboard_failures_share_one_budget",
        "test_dashboard_failures_lock_the_api",
    ),
}

# Waiting on purpose: timeouts, hang-ups, idle connections, locks held elsewhere, races.
WAITING = {
    "tests/api/test_hardening.py": (
        "test_connections_beyond_the_limit_are_closed",
        "test_silent_and_slow_connections_are_closed",
    ),
    "tests/mail/test_outbound_path.py": (
        "test_a_client_that_hangs_up_after_the_dot_still_pays_and_is_logged",
        "test_after_quit_the_credits_come_back_at_once_and_no_connection_is_kept",
        "test_credits_held_when_the_limit_is_set_anew_are_not_given_back_on_top",
    ),
    "tests/mail/test_smtp_limits.py": (
        "test_a_client_that_does_not_authenticate_in_time_is_dropped_with_421",
        "test_a_starttls_whose_handshake_never_comes_is_closed_in_time",
    ),
    "tests/mail/test_transports.py": (
        "test_idle_connections_are_closed",
        "test_the_pool_never_opens_more_than_its_size",
        "test_the_pool_size_setting_bounds_the_connections",
        "test_waiting_too_long_for_a_connection_is_retry_later",
    ),
    "tests/unit/test_login_audit.py": ("test_successes_are_written_together_and_in_time",),
    "tests/unit/test_services.py": (
        "test_concurrent_adds_of_one_username_leave_one_account",
        "test_sqlite_is_durable_and_enforces_foreign_keys",
    ),
    "tests/unit/test_writer.py": (
        "test_gives_up_after_the_busy_timeout_then_writes_again",
        "test_waits_for_a_lock_held_elsewhere_without_stalling_the_loop",
    ),
}

# A database of their own, migrated per test (some down and up again); the operator's
# commands open and migrate theirs at every command.
OWN_DATABASE = {
    "tests/cli/test_cli.py": (
        "test_audit_lines_cannot_be_split_by_any_line_separator",
        "test_distributor_create_makes_a_login",
        "test_package_ip_and_audit_commands",
    ),
    "tests/cli/test_operator.py": (
        "test_audit_json_keeps_permissions_an_object",
        "test_disable_refuses_the_distributor_and_its_credentials_not_its_customers",
        "test_distributor_commands_refuse_bad_input",
        "test_distributor_list_shows_state_and_live_customers_never_a_hash",
        "test_ip_list_and_remove",
        "test_package_list_and_delete",
        "test_set_password_from_stdin_replaces_the_old_one",
    ),
    "tests/mail/test_smtp_activity.py": (
        "test_mail_sent_over_smtp_is_counted_for_the_day",
        "test_stats_refuses_what_it_cannot_show",
        "test_stats_without_a_name_shows_each_distributor",
    ),
    "tests/unit/test_activity_storage.py": ("test_the_table_comes_and_goes_with_its_revision",),
    "tests/unit/test_api_key_storage.py": (
        "test_a_key_made_in_one_process_works_and_stops_in_another",
        "test_racing_creations_never_pass_the_limit",
        "test_the_migrated_table_matches_the_metadata",
        "test_the_table_comes_and_goes_with_its_revision",
        "test_unknown_and_malformed_keys_count_against_the_network",
        "test_wrong_secrets_count_against_the_keys_account",
    ),
    "tests/unit/test_migration_mixed_scripts.py": (
        "test_downgrade_changes_nothing",
        "test_mixed_names_are_reported_and_kept",
    ),
    "tests/unit/test_migration_usernames.py": (
        "test_a_name_the_profile_refuses_still_logs_in",
        "test_downgrade_restores_lower_cased_keys",
        "test_keys_are_recomputed_and_the_column_widened",
    ),
    "tests/unit/test_services.py": (
        "test_all_errors_reported_together",
        "test_failed_add_writes_nothing",
        "test_operator_rejects_bad_input",
    ),
    "tests/unit/test_statements.py": ("test_values_come_back_as_sqlalchemy_gives_them",),
}

# Servers of their own, started (and stopped) inside the test.
OWN_SERVERS = {
    "tests/mail/test_auth_http.py": ("test_half_configured_is_404",),
    "tests/mail/test_smtp_revocation.py": (
        "test_a_hash_upgraded_at_auth_is_not_taken_for_a_password_change",
    ),
}

# Big requests and answers: thousands of parameters, a hundred keys, many messages.
BIG = {
    "tests/api/test_mail_send.py": (
        "test_5000_parameters_are_allowed",
        "test_smtpapi_copies_substitutions_sections_and_the_audit",
    ),
    "tests/api/test_v3_keys.py": ("test_at_most_100_keys",),
    "tests/api/test_v3_mail_send.py": ("test_each_personalization_is_one_message",),
}

GROUPS = (PROPERTIES, DASHBOARD_WALKS, THROTTLING, WAITING, OWN_DATABASE, OWN_SERVERS, BIG)


def left_to_the_full_run() -> dict[str, set[str]]:
    """Test module (path from the repository's root) → the test functions marked slow."""
    chosen: dict[str, set[str]] = {}
    for group in GROUPS:
        for module, names in group.items():
            chosen.setdefault(module, set()).update(names)
    return chosen
